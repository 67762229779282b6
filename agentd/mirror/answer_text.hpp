// mirror/answer_text: the text of one answer kept by the answer cache. A large text (a seat
// plan runs to 100-300 KB) gets an anonymous mapping of its own, given back to the kernel when
// the answer is dropped. On the heap, these long-lived blocks, replaced all the time as answers
// are evicted and read again, leave holes among small allocations that malloc cannot return:
// on the venue300 benchmark the peak was 4-5 MiB higher and varied by as much between runs.
// Mapping costs a page fault per 4 KiB when the text is stored (~80 us for 150 KB here), paid
// by a cache miss next to its SQLite reads and encoding; reading the text costs nothing more.
// Threading: none of its own (the cache's thread).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace agentd::mirror {

// Unmaps an answer_text's pages (the whole pages mapped for it).
struct unmap_text {
    std::size_t bytes = 0;
    void operator()(char* p) const noexcept;
};

class answer_text {
public:
    // Texts from this size on are mapped; smaller ones stay in a string.
    static constexpr std::size_t k_mapped_from = 64 * 1024;

    answer_text() = default;
    answer_text(answer_text&&) noexcept = default;
    answer_text& operator=(answer_text&&) noexcept = default;

    void assign(std::string_view text);
    std::string_view view() const noexcept {
        return mapped_ ? std::string_view(mapped_.get(), size_) : std::string_view(small_);
    }
    std::size_t size() const noexcept { return mapped_ ? size_ : small_.size(); }
    // Bytes held, the mapping's whole pages included.
    std::size_t footprint() const noexcept { return mapped_ ? mapped_.get_deleter().bytes : small_.capacity(); }

private:
    std::string small_;
    std::unique_ptr<char, unmap_text> mapped_;
    std::size_t size_ = 0;
};

}  // namespace agentd::mirror
