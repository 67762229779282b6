// agentctl's main(): hands the arguments to cli::run and returns its exit code.
#include "agentd/cli/cli.hpp"

#include <iostream>

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(true);
    std::vector<std::string> args(argv + 1, argv + argc);
    return agentd::cli::run(args, std::cout, std::cerr);
}
