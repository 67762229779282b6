#include "agentd/store/lazy_reader.hpp"

namespace agentd::store {

result<reader*> lazy_reader::get() {
    if (!reader_) {
        auto r = reader::open(path_, options_);
        if (!r) return purpose_.empty() ? r.error() : r.error().wrap(purpose_);
        reader_.emplace(std::move(*r));
    }
    return &*reader_;
}

result<connection*> lazy_reader::conn() {
    auto r = get();
    if (!r) return r.error();
    return &(*r)->conn();
}

}  // namespace agentd::store
