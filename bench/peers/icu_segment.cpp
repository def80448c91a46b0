// The physical limit of dictionary segmentation with ICU, for
// `bench/run segment`: the text converted to UTF-16 once, then every word
// boundary of ICU's word BreakIterator visited, nothing else done.
// usage: icu_segment FILE   -> prints "words N" (segments with a word status)
#include <unicode/brkiter.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::ifstream in(argv[1], std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(bytes);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> words(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status)) return 1;
  words->setText(text);
  unsigned long long count = 0;
  words->first();
  while (words->next() != icu::BreakIterator::DONE)
    if (words->getRuleStatus() >= UBRK_WORD_NONE_LIMIT) ++count;
  std::printf("words %llu\n", count);
  return 0;
}
