#pragma once
// Conversion of legacy charsets to UTF-8, streaming, with glibc's iconv.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace crawl::pipeline {

// The charset parameter of a Content-Type value, or empty.
std::string charset_from_content_type(std::string_view content_type);

// The charset named by a <meta charset> or <meta http-equiv content> tag in
// the first 1024 bytes of an HTML document, or empty.
std::string sniff_meta_charset(std::string_view head);

// Converts bytes in a named charset to UTF-8 as they arrive. A sequence cut
// by the end of one piece is completed by the next; invalid bytes become a
// space. Labels follow the WHATWG Encoding Standard's names and aliases
// (latin1 means windows-1252, gb2312 means GBK, ...).
class charset_decoder {
 public:
  // nullopt when iconv does not know the label. A UTF-8 label gives a
  // decoder that passes bytes through.
  static std::optional<charset_decoder> open(std::string_view label);
  ~charset_decoder();
  charset_decoder(charset_decoder&&) noexcept;
  charset_decoder& operator=(charset_decoder&&) noexcept;

  bool passes_through() const { return handle_ == nullptr; }
  void decode(std::string_view in, std::string& out);
  void finish(std::string& out);

 private:
  charset_decoder(void* handle, void* probe) : handle_(handle), probe_(probe) {}
  bool took_invalid(const char* bytes, std::size_t size);
  void* handle_ = nullptr;  // iconv_t; null for UTF-8
  void* probe_ = nullptr;   // a second one, to tell where an invalid sequence was
  std::string tail_;        // an incomplete sequence carried to the next piece
};

}  // namespace crawl::pipeline
