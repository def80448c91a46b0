// Runs the test server by hand: prints its port, serves until killed.
#include "test_http_server.hpp"

#include <csignal>
#include <cstdio>
#include <unistd.h>

int main() {
  crawl::test::test_http_server server;
  std::printf("%u\n", server.port());
  std::fflush(stdout);
  for (;;) ::pause();
}
