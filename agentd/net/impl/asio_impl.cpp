// The single translation unit that compiles Asio and Asio.SSL (separate compilation).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
