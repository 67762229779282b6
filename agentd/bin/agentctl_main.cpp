// agentctl's main(): hands the arguments to cli::run and returns its exit code.
#include "agentd/cli/cli.hpp"
#include "man/pages.hpp"

#include <iostream>

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(true);
    std::vector<std::string> args(argv + 1, argv + argc);
    // Hidden: the build writes the man pages and the completion script from these.
    using words = std::vector<std::string>;
    if (args == words{"--man"}) return std::cout << agentd::man::agentctl_page() ? 0 : 1;
    if (args == words{"--man", "agentd.toml"}) return std::cout << agentd::man::agentd_toml_page() ? 0 : 1;
    if (args == words{"--bash-completion"}) return std::cout << agentd::man::agentctl_bash_completion() ? 0 : 1;
    return agentd::cli::run(args, std::cout, std::cerr);
}
