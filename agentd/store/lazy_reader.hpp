// store/lazy_reader: the one way a service holds a read-only connection that it opens on first
// use (a service may be built before the database file is ready to read, and most of them read
// only now and then). A failed open is reported to that caller and tried again on the next.
// Threading: like store::reader, one thread only; a service read from several threads keeps
// one lazy_reader per thread.
#pragma once

#include "agentd/core/error.hpp"
#include "agentd/store/reader.hpp"

#include <optional>
#include <string>

namespace agentd::store {

class lazy_reader {
public:
    // `purpose` names the reader in the error of a failed open ("open feed reader"); empty
    // leaves the error as the store reported it.
    explicit lazy_reader(std::string path, std::string purpose = {}, reader_options o = {})
        : path_(std::move(path)), purpose_(std::move(purpose)), options_(o) {}

    // The open reader, opening it now if needed.
    result<reader*> get();
    // Its connection: the form most callers want.
    result<connection*> conn();

private:
    std::string path_;
    std::string purpose_;
    reader_options options_;
    std::optional<reader> reader_;
};

}  // namespace agentd::store
