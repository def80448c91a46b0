// The word rule on any bytes: no crash, every word is within the length
// limit, and the counts do not depend on where the text is cut (at code
// point boundaries, as the document cuts it).
#include "crawl/pipeline/tokenizer.hpp"

#include "split.hpp"

#include <cstdlib>
#include <string>

namespace {
crawl::pipeline::word_counts count(std::string_view text, std::size_t piece) {
  static const auto rules = std::make_shared<const crawl::pipeline::token_rules>(crawl::pipeline::tokenizer_options{});
  crawl::pipeline::tokenizer t(rules);
  crawl::pipeline::word_counts counts;
  std::string pending;
  for (auto p : crawl::fuzz::pieces(text, piece)) {
    pending.append(p);
    std::size_t n = crawl::pipeline::utf8_complete_prefix(pending);
    t.feed(std::string_view(pending).substr(0, n), counts);
    pending.erase(0, n);
  }
  t.feed(pending, counts);
  t.finish(counts);
  return counts;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  auto in = crawl::fuzz::split(bytes, size);
  auto whole = count(in.data, in.data.size() + 1);
  auto cut = count(in.data, in.piece);
  if (whole.total() != cut.total() || whole.distinct() != cut.distinct()) std::abort();
  whole.for_each([&](crawl::pipeline::word_count wc) {
    if (wc.word.size() > crawl::pipeline::max_word_bytes || cut.get(wc.word) != wc.count) std::abort();
  });
  return 0;
}
