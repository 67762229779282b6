#include "agentd/mirror/answer_text.hpp"

#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace agentd::mirror {

void unmap_text::operator()(char* p) const noexcept {
    ::munmap(p, bytes);
}

void answer_text::assign(std::string_view text) {
    mapped_.reset();
    size_ = 0;
    if (text.size() >= k_mapped_from) {
        const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        const std::size_t bytes = (text.size() + page - 1) / page * page;
        void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            std::memcpy(p, text.data(), text.size());
            mapped_ = std::unique_ptr<char, unmap_text>(static_cast<char*>(p), unmap_text{bytes});
            size_ = text.size();
            small_ = std::string();
            return;
        }
        // Out of mappings or address space: the heap serves as it did before.
    }
    small_.assign(text);
}

}  // namespace agentd::mirror
