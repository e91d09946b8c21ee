// RFC 4180 CSV for resident import and export: a reader that walks the request's bytes one
// record at a time (no copy of the file), and the writer's field quoting.
#ifndef FANGXIAN_SERVICES_IDENTITY_RESIDENT_CSV_H_
#define FANGXIAN_SERVICES_IDENTITY_RESIDENT_CSV_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace fangxian::identity {

struct CsvRecord {
  int line = 0;  // the line the record starts on, from 1
  std::vector<std::string> fields;
  // Set when the record's quoting is malformed; `fields` is then incomplete and reading
  // resumes on the next line.
  std::string error;
};

class CsvReader {
 public:
  // `data` must outlive the reader. A leading UTF-8 byte order mark is skipped.
  explicit CsvReader(absl::string_view data);

  // Reads the next record, skipping blank lines. Line ends are CRLF or LF; quoted fields
  // may hold commas, line ends and doubled quotes. False at the end of the input.
  bool Next(CsvRecord* record);

 private:
  // After an error: drops the rest of the current line.
  void SkipLine();
  bool AtLineEnd() const;
  void ConsumeLineEnd();

  absl::string_view data_;
  size_t pos_ = 0;
  int line_ = 1;
};

// Appends `value` as one CSV field: quoted (quotes doubled) when it holds a comma, quote,
// CR or LF. A value a spreadsheet would run as a formula (starting =, +, -, @) gets a
// leading apostrophe.
void AppendCsvField(std::string* out, absl::string_view value);

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_RESIDENT_CSV_H_
