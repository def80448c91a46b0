#include "crawl/pipeline/tokenizer.hpp"

#include <re2/re2.h>
#include <unicode/brkiter.h>
#include <unicode/unistr.h>
#include <utf8proc.h>

#include <array>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace crawl::pipeline {
namespace {

enum ascii_class : std::uint8_t { separator, lower, upper, digit };

constexpr std::array<std::uint8_t, 128> make_ascii_table() {
  std::array<std::uint8_t, 128> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = lower;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = upper;
  for (int c = '0'; c <= '9'; ++c) t[c] = digit;
  return t;
}
constexpr auto ascii_table = make_ascii_table();

#if defined(__SSE2__)
// Bit k of each mask describes byte p[k]: 16 bytes (block_masks) or 64
// (window_masks, four blocks).
template <class Bits>
struct byte_masks {
  Bits word = 0;    // ASCII letter or digit
  Bits letter = 0;  // ASCII letter
  Bits upper = 0;   // ASCII upper-case letter
  Bits high = 0;    // 0x80 or above: not ASCII
};
using block_masks = byte_masks<unsigned>;
using window_masks = byte_masks<std::uint64_t>;

// SSE2 classifies 16 bytes at once: a word is found in one step instead of a
// branch and a table lookup per byte (the word counter was spending a third
// of its time in that loop).
[[gnu::always_inline]] inline block_masks classify_block(const char* p) {
  // Adding 128 - lo moves [lo, lo + span) to the lowest signed bytes.
  auto in_range = [](__m128i v, char lo, char span) {
    __m128i shifted = _mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(128 - lo)));
    return _mm_cmplt_epi8(shifted, _mm_set1_epi8(static_cast<char>(-128 + span)));
  };
  auto bits = [](__m128i x) { return static_cast<unsigned>(_mm_movemask_epi8(x)); };
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i up = in_range(v, 'A', 26);
  __m128i letters = _mm_or_si128(up, in_range(v, 'a', 26));
  return {bits(_mm_or_si128(letters, in_range(v, '0', 10))), bits(letters), bits(up), bits(v)};
}

window_masks classify_window(const char* p) {
  window_masks m;
  for (int b = 0; b < 4; ++b) {
    block_masks k = classify_block(p + 16 * b);
    m.word |= static_cast<std::uint64_t>(k.word) << (16 * b);
    m.letter |= static_cast<std::uint64_t>(k.letter) << (16 * b);
    m.upper |= static_cast<std::uint64_t>(k.upper) << (16 * b);
    m.high |= static_cast<std::uint64_t>(k.high) << (16 * b);
  }
  return m;
}
#endif

// The length of the run of ASCII letters and digits at p (at most n bytes),
// and whether it has upper-case letters and any letter at all.
[[gnu::always_inline]] inline std::size_t ascii_word_run(const char* p, std::size_t n, bool& has_upper,
                                                          bool& has_letter) {
  std::size_t len = 0;
#if defined(__SSE2__)
  while (len + 16 <= n) {
    block_masks m = classify_block(p + len);
    unsigned run = m.word == 0xFFFF ? 16 : static_cast<unsigned>(__builtin_ctz(~m.word));
    unsigned keep = run == 16 ? 0xFFFFu : (1u << run) - 1;
    has_upper |= (m.upper & keep) != 0;
    has_letter |= (m.letter & keep) != 0;
    len += run;
    if (run < 16) return len;
  }
#endif
  for (; len < n; ++len) {
    auto d = static_cast<unsigned char>(p[len]);
    if (d >= 0x80) break;
    std::uint8_t k = ascii_table[d];
    if (k == separator) break;
    has_upper |= k == upper;
    has_letter |= k != digit;
  }
  return len;
}

// Decodes one UTF-8 sequence at text[i]. Returns its length, or 0 when the
// bytes there are not a valid sequence (overlong, surrogate, out of range).
std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& cp) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  unsigned char c = b(0);
  std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (len == 0 || c > 0xF4 || i + len > text.size()) return 0;
  cp = c & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

bool is_cjk_single(char32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) ||    // Hiragana, Katakana
         (cp >= 0x31F0 && cp <= 0x31FF) ||    // Katakana phonetic extensions
         (cp >= 0xFF66 && cp <= 0xFF9D) ||    // halfwidth Katakana
         (cp >= 0x3400 && cp <= 0x4DBF) ||    // Han extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||    // Han unified ideographs
         (cp >= 0xF900 && cp <= 0xFAFF) ||    // Han compatibility ideographs
         (cp >= 0x20000 && cp <= 0x3134F);    // Han extensions B and later
}

// The scripts written without spaces between words, whose runs ICU's
// dictionaries cut: Han and Kana (with the iteration marks), Thai, Lao,
// Myanmar and Khmer. Korean has spaces and keeps the plain rule.
bool is_dictionary_script(char32_t cp) {
  return is_cjk_single(cp) || (cp >= 0x3005 && cp <= 0x3007) ||  // 々 〆 〇
         (cp >= 0x0E00 && cp <= 0x0EFF) ||                       // Thai, Lao
         (cp >= 0x1000 && cp <= 0x109F) || (cp >= 0xA9E0 && cp <= 0xA9FF) ||
         (cp >= 0xAA60 && cp <= 0xAA7F) ||                       // Myanmar
         (cp >= 0x1780 && cp <= 0x17FF) || (cp >= 0x19E0 && cp <= 0x19FF);  // Khmer
}

// cjk: a word of its own (segmentation::character); run: part of a run ICU
// cuts (segmentation::icu).
enum class cp_kind { separator, letter, mark, digit, cjk, run };

cp_kind classify(char32_t cp, segmentation segment) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      if (segment == segmentation::icu && is_dictionary_script(cp)) return cp_kind::run;
      return is_cjk_single(cp) ? cp_kind::cjk : cp_kind::letter;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      if (segment == segmentation::icu && is_dictionary_script(cp)) return cp_kind::run;  // Thai vowel signs
      return cp_kind::mark;
    case UTF8PROC_CATEGORY_ND:
      return cp_kind::digit;
    default:
      return cp_kind::separator;
  }
}

char ascii_lower(char c) { return static_cast<char>(c + ((c >= 'A' && c <= 'Z') ? 32 : 0)); }

// Written into place rather than by push_back, so the loop vectorizes.
void lowercase_ascii_into(std::string_view in, std::string& out) {
  std::size_t at = out.size();
  out.resize(at + in.size());
  char* d = out.data() + at;
  for (std::size_t i = 0; i < in.size(); ++i) d[i] = ascii_lower(in[i]);
}

// Lowercases UTF-8 by simple case mapping; invalid bytes are copied as they are.
void lowercase_utf8_into(std::string_view in, std::string& out) {
  for (std::size_t i = 0; i < in.size();) {
    auto c = static_cast<unsigned char>(in[i]);
    char32_t cp = 0;
    std::size_t len = c < 0x80 ? 0 : decode_utf8(in, i, cp);
    if (len == 0) {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : static_cast<char>(c));
      ++i;
      continue;
    }
    char buf[4];
    auto n = utf8proc_encode_char(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)),
                                  reinterpret_cast<utf8proc_uint8_t*>(buf));
    out.append(buf, static_cast<std::size_t>(n));
    i += len;
  }
}

// ICU's word BreakIterator for this thread: made once from a prototype
// (loading the rules and dictionaries once per process), cloned once per
// thread, reused for every run of every page.
icu::BreakIterator& thread_break_iterator() {
  static std::mutex clone_mutex;
  static const std::unique_ptr<icu::BreakIterator> prototype = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> made(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status) || !made)
      throw std::runtime_error(std::string("ICU word break iterator: ") + u_errorName(status));
    return made;
  }();
  thread_local std::unique_ptr<icu::BreakIterator> mine = [] {
    std::lock_guard lock(clone_mutex);
    return std::unique_ptr<icu::BreakIterator>(prototype->clone());
  }();
  return *mine;
}

}  // namespace

token_rules::token_rules(const tokenizer_options& options)
    : keep_numbers_(options.keep_numbers), segment_(options.segment) {
  if (options.token_pattern.empty()) return;
  RE2::Options re_options;
  re_options.set_log_errors(false);
  pattern_ = std::make_unique<re2::RE2>(options.token_pattern, re_options);
  if (!pattern_->ok()) error_ = pattern_->error();
  else if (pattern_->NumberOfCapturingGroups() > 1)
    error_ = "at most one capture group is allowed";
}

token_rules::~token_rules() = default;

tokenizer::tokenizer(std::shared_ptr<const token_rules> rules) : rules_(std::move(rules)) {}

template <class Sink>
void tokenizer::feed(std::string_view text, Sink& out) {
  if (rules_->pattern()) feed_pattern(text, false, out);
  else feed_rule(text, out);
}

template <class Sink>
void tokenizer::finish(Sink& out) {
  if (rules_->pattern()) {
    feed_pattern({}, true, out);
    return;
  }
  end_run(out);
  end_word(out);
}

template <class Sink>
void tokenizer::end_run(Sink& out) {
  if (!run_.empty()) segment_run(true, out);
}

// Cuts run_ into words with ICU. Segments ICU marks as neither words nor
// numbers (punctuation, spaces) are not words; numbers only with
// keep_numbers. `all` false: the last segment stays in run_, as the run may
// go on.
template <class Sink>
void tokenizer::segment_run(bool all, Sink& out) {
  icu::BreakIterator& words = thread_break_iterator();
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(icu::StringPiece(run_.data(), static_cast<int32_t>(run_.size())));
  words.setText(text);
  std::string word;
  int32_t start = words.first();
  for (int32_t end = words.next(); end != icu::BreakIterator::DONE; start = end, end = words.next()) {
    if (!all && end == text.length()) {  // the last segment waits for the rest of the run
      word.clear();
      text.tempSubStringBetween(start, end).toUTF8String(word);
      // One that is already too long for a word is not kept: cutting the
      // same growing segment again and again would cost the square of it.
      if (word.size() > max_word_bytes) word.clear();
      run_ = std::move(word);
      return;
    }
    int32_t status = words.getRuleStatus();
    if (status < UBRK_WORD_NONE_LIMIT) continue;
    if (status < UBRK_WORD_NUMBER_LIMIT && !rules_->keep_numbers()) continue;
    word.clear();
    text.tempSubStringBetween(start, end).toUTF8String(word);
    if (word.size() <= max_word_bytes) out.add(word);
  }
  run_.clear();
}

template <class Sink>
void tokenizer::end_word(Sink& out) {
  if (!word_.empty() && !word_too_long_ && (word_has_letter_ || rules_->keep_numbers()))
    out.add(word_);
  word_.clear();
  word_has_letter_ = false;
  word_too_long_ = false;
}

void tokenizer::append_code_point(char32_t cp) {
  char buf[4];
  auto n = utf8proc_encode_char(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)),
                                reinterpret_cast<utf8proc_uint8_t*>(buf));
  word_.append(buf, static_cast<std::size_t>(n));
}

#if defined(__SSE2__)
// word_counts::short_key() of the 1 to 8 bytes at p + start, which end
// inside the 64-byte window at p: one load that stays in the window (from at
// most p + 56, shifted), where short_key() takes two and a branch on the
// length. Words of 9 to 16 bytes are their first 8 bytes and this of the
// rest (word_counts::make_mid_key). (SSE2 means x86: little-endian, as the
// shift assumes.)
std::uint64_t window_short_key(const char* p, unsigned start, unsigned len) {
  unsigned from = start < 56 ? start : 56;
  std::uint64_t v;
  std::memcpy(&v, p + from, 8);
  return (v >> (8 * (start - from))) & (~0ull >> (64 - 8 * len));
}

// Counts the words lying wholly inside the 64 bytes at p, up to the first
// non-ASCII byte or the first word that runs to the window's end, and says
// where it stopped (64: the whole window). Words here are at most 63 bytes,
// under the word limit.
template <class Sink>
std::size_t count_window_words(const char* p, bool keep_numbers, Sink& out) {
  window_masks m = classify_window(p);
  std::uint64_t words = m.word;
  std::size_t stop = 64;
  if (m.high) {
    stop = static_cast<std::size_t>(__builtin_ctzll(m.high));
    words &= stop == 0 ? 0 : ~0ull >> (64 - stop);  // only before the first non-ASCII byte
  }
  while (words) {
    auto start = static_cast<unsigned>(__builtin_ctzll(words));
    std::uint64_t rest = words >> start;
    unsigned len = rest == ~0ull ? 64 : static_cast<unsigned>(__builtin_ctzll(~rest));
    if (start + len >= stop) return start;  // may go on past the window: byte-wise
    std::uint64_t bits = ((1ull << len) - 1) << start;
    words &= ~bits;
    if (!(m.letter & bits) && !keep_numbers) continue;
    if (m.upper & bits) {
      char lowered[64];
      for (unsigned k = 0; k < len; ++k) lowered[k] = ascii_lower(p[start + k]);
      out.add(std::string_view(lowered, len));
    } else if (len <= 8) {
      out.add_short(window_short_key(p, start, len), len);
    } else if (len <= 16) {
      std::uint64_t first;
      std::memcpy(&first, p + start, 8);  // start <= 54: the word ends inside the window
      out.add_mid(first, window_short_key(p, start + 8, len - 8), len);
    } else {
      out.add(std::string_view(p + start, len));
    }
  }
  return stop;
}
#endif

// Hand-written rather than a regex: this loop is the hot path of both
// commands. ASCII words that end inside the buffer are counted straight from
// it, without a copy, unless they need lowercasing.
template <class Sink>
void tokenizer::feed_rule(std::string_view text, Sink& out) {
  const std::size_t n = text.size();
  const bool keep_numbers = rules_->keep_numbers();
  std::size_t i = 0;
  while (i < n) {
#if defined(__SSE2__)
    // Whole 64-byte windows of ASCII: every word that starts and ends inside
    // one is found from bit masks, without a step per byte or per separator.
    // A word that reaches the window's end, or non-ASCII bytes, go to the
    // byte-wise path below. (Callgrind: 107 instructions per token before.)
    if (word_.empty() && run_.empty() && i + 64 <= n) {
      std::size_t stop = count_window_words(text.data() + i, keep_numbers, out);
      i += stop;
      if (stop == 64) continue;
    }
#endif
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (!run_.empty()) end_run(out);
      std::uint8_t k = ascii_table[c];
      if (k == separator) {
        if (!word_.empty()) end_word(out);
        ++i;
        continue;
      }
      bool has_upper = false, has_letter = false;
      std::size_t j = i + ascii_word_run(text.data() + i, n - i, has_upper, has_letter);
      std::string_view run(text.data() + i, j - i);
      if (word_.empty() && j < n && static_cast<unsigned char>(text[j]) < 0x80) {
        // The whole word lies in this buffer and ends at an ASCII separator.
        if (run.size() <= max_word_bytes && (has_letter || keep_numbers)) {
          if (has_upper) {
            char lowered[max_word_bytes];
            for (std::size_t k = 0; k < run.size(); ++k) lowered[k] = ascii_lower(run[k]);
            out.add(std::string_view(lowered, run.size()));
          } else {
            out.add(run);
          }
        }
      } else {
        lowercase_ascii_into(run, word_);
        word_has_letter_ |= has_letter;
        if (word_.size() > max_word_bytes) {
          word_too_long_ = true;
          word_.resize(max_word_bytes);
        }
      }
      i = j;
      continue;
    }
    char32_t cp = 0;
    std::size_t len = decode_utf8(text, i, cp);
    if (len == 0) {  // invalid byte: a separator
      end_run(out);
      end_word(out);
      ++i;
      continue;
    }
    cp_kind kind = classify(cp, rules_->segment());
    if (kind != cp_kind::run && !run_.empty()) end_run(out);
    i += len;
    switch (kind) {
      case cp_kind::run:
        end_word(out);  // where the script changes (HTTP服务器), so does the word
        run_.append(text.substr(i - len, len));
        if (run_.size() > max_run_bytes) segment_run(false, out);
        break;
      case cp_kind::separator:
        end_word(out);
        break;
      case cp_kind::cjk:
        end_word(out);
        append_code_point(cp);
        word_has_letter_ = true;
        end_word(out);
        break;
      case cp_kind::letter:
        word_has_letter_ = true;
        [[fallthrough]];
      case cp_kind::mark:
      case cp_kind::digit:
        append_code_point(cp);
        if (word_.size() > max_word_bytes) {
          word_too_long_ = true;
          word_.resize(max_word_bytes);
        }
        break;
    }
  }
}

// Matches that end within `guard` bytes of the buffer's end might grow with
// more input, so they wait for the next feed (bounded by `guard` plus the
// match's own length).
template <class Sink>
void tokenizer::feed_pattern(std::string_view text, bool final, Sink& out) {
  constexpr std::size_t guard = max_word_bytes;
  pending_.append(text);
  std::string_view rest(pending_);
  const re2::RE2& re = *rules_->pattern();
  bool has_group = re.NumberOfCapturingGroups() == 1;
  std::string lowered;
  std::size_t keep_from = final ? pending_.size() : (pending_.size() > guard ? pending_.size() - guard : 0);
  re2::StringPiece groups[2];
  std::size_t pos = 0;
  while (pos <= pending_.size()) {
    if (!re.Match(rest, pos, rest.size(), RE2::UNANCHORED, groups, has_group ? 2 : 1)) {
      break;
    }
    std::size_t start = static_cast<std::size_t>(groups[0].data() - rest.data());
    std::size_t end = start + groups[0].size();
    if (!final && end >= keep_from) {
      keep_from = std::min(keep_from, start);
      break;
    }
    std::string_view token = has_group ? std::string_view(groups[1]) : std::string_view(groups[0]);
    if (!token.empty() && token.size() <= max_word_bytes) {
      lowered.clear();
      lowercase_utf8_into(token, lowered);
      out.add(lowered);
    }
    pos = end > start ? end : end + 1;  // an empty match must not loop
  }
  if (final) {
    pending_.clear();
    return;
  }
  keep_from = std::max(keep_from, std::min(pos, pending_.size()));
  pending_.erase(0, keep_from);
}

template void tokenizer::feed(std::string_view, word_counts&);
template void tokenizer::finish(word_counts&);
template void tokenizer::feed(std::string_view, word_tally&);
template void tokenizer::finish(word_tally&);

std::size_t utf8_complete_prefix(std::string_view text) {
  std::size_t n = text.size();
  // Look back at most 3 bytes for the lead byte of a cut sequence.
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    auto c = static_cast<unsigned char>(text[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep looking
    std::size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

}  // namespace crawl::pipeline

