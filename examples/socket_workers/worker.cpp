// A worker of examples/socket_workers: serves connections on the socket its parent passed
// under the name "listen".
#include <bequest/bequest.hpp>

#include <asio.hpp>

#include <cstdint>
#include <iostream>
#include <string>
#include <type_traits>

template <class Native>
Native to_asio(bequest::native_handle h) {
  if constexpr (std::is_pointer_v<bequest::native_handle>) {
    return static_cast<Native>(reinterpret_cast<std::uintptr_t>(h));
  } else {
    return static_cast<Native>(h);
  }
}

int main(int argc, char** argv) {
  const std::string id = argc > 1 ? argv[1] : "?";
  const auto listen = bequest::inherited_handle("listen");
  if (!listen) {
    std::cerr << "worker " << id << ": no socket named \"listen\" was passed\n";
    return 2;
  }
  bequest::clear_inherit_variable();  // anything this worker starts need not see it

  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io);
  acceptor.assign(asio::ip::tcp::v4(), to_asio<asio::ip::tcp::acceptor::native_handle_type>(*listen));
  while (true) {
    asio::ip::tcp::socket s = acceptor.accept();
    std::string line;
    asio::read_until(s, asio::dynamic_buffer(line), '\n');
    asio::write(s, asio::buffer("worker " + id + " says: " + line));
  }
}
