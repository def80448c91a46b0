// The pure text core on one thread, in bytes per second: the word counter,
// HTML visible-text extraction, a whole page, and log line chunking. The
// inputs are generated (deterministic) so runs compare.
#include "crawl/pipeline/document.hpp"
#include "crawl/pipeline/line_chunker.hpp"
#include "crawl/pipeline/log_summary.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

using namespace crawl::pipeline;

namespace {

// Zipf-like words, as in real text.
std::string generated_text(std::size_t bytes) {
  std::mt19937 rng(42);
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 5000; ++i) {
    std::string w;
    int len = 2 + static_cast<int>(rng() % 9);
    for (int k = 0; k < len; ++k) w.push_back(static_cast<char>('a' + rng() % 26));
    vocabulary.push_back(w);
  }
  std::vector<double> weights;
  for (int i = 0; i < 5000; ++i) weights.push_back(1.0 / (i + 1));
  std::discrete_distribution<int> pick(weights.begin(), weights.end());
  std::string out;
  while (out.size() < bytes) {
    out += vocabulary[static_cast<std::size_t>(pick(rng))];
    out += (rng() % 12 == 0) ? ".\n" : " ";
  }
  return out;
}

std::string generated_html(std::size_t bytes) {
  std::string text = generated_text(bytes);
  std::string html = "<!doctype html><html><head><title>t</title><script>var x = 1;</script></head><body>";
  for (std::size_t i = 0; i < text.size(); i += 400)
    html += "<p class=\"c\">" + text.substr(i, 400) + " <a href=\"/x\">link</a></p>\n";
  return html + "</body></html>";
}

const std::string& text_input() {
  static const std::string t = generated_text(16 << 20);
  return t;
}

const std::string& html_input() {
  static const std::string h = generated_html(16 << 20);
  return h;
}

void word_counter(benchmark::State& state) {
  auto rules = std::make_shared<const token_rules>(tokenizer_options{});
  for (auto _ : state) {
    word_counts counts;
    tokenizer t(rules);
    t.feed(text_input(), counts);
    t.finish(counts);
    benchmark::DoNotOptimize(counts.total());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text_input().size()));
}

void html_extraction(benchmark::State& state) {
  for (auto _ : state) {
    html_text h;
    std::string out;
    out.reserve(html_input().size());
    h.feed(html_input(), out);
    h.finish(out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * html_input().size()));
}

// A crawled page as the workers see it: 28 KB of HTML to counts.
void html_page_to_counts(benchmark::State& state) {
  auto rules = std::make_shared<const token_rules>(tokenizer_options{});
  std::string page = html_input().substr(0, 28'000);
  for (auto _ : state) {
    document d(content_kind::html, "utf-8", rules);
    d.feed(page);
    d.finish();
    benchmark::DoNotOptimize(d.words());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * page.size()));
}

void line_chunking(benchmark::State& state) {
  for (auto _ : state) {
    line_chunker chunker(1 << 20, 1 << 20);
    std::size_t chunks = 0;
    auto sink = [&](line_chunker::chunk&& c) { chunks += c.bytes.size() > 0; };
    const std::string& in = text_input();
    for (std::size_t i = 0; i < in.size(); i += 1 << 20) chunker.feed(std::string_view(in).substr(i, 1 << 20), sink);
    chunker.finish(sink);
    benchmark::DoNotOptimize(chunks);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text_input().size()));
}

}  // namespace

BENCHMARK(word_counter)->Unit(benchmark::kMillisecond);
BENCHMARK(html_extraction)->Unit(benchmark::kMillisecond);
BENCHMARK(html_page_to_counts)->Unit(benchmark::kMicrosecond);
BENCHMARK(line_chunking)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
