#include "services/identity/resident_csv.h"

#include "absl/strings/match.h"

namespace fangxian::identity {

CsvReader::CsvReader(absl::string_view data) : data_(data) {
  if (absl::StartsWith(data_, "\xEF\xBB\xBF")) pos_ = 3;
}

bool CsvReader::AtLineEnd() const {
  return data_[pos_] == '\n' ||
         (data_[pos_] == '\r' && pos_ + 1 < data_.size() && data_[pos_ + 1] == '\n');
}

void CsvReader::ConsumeLineEnd() {
  pos_ += data_[pos_] == '\r' ? 2 : 1;
  ++line_;
}

void CsvReader::SkipLine() {
  const size_t end = data_.find('\n', pos_);
  if (end == absl::string_view::npos) {
    pos_ = data_.size();
    return;
  }
  pos_ = end + 1;
  ++line_;
}

bool CsvReader::Next(CsvRecord* record) {
  while (pos_ < data_.size() && AtLineEnd()) ConsumeLineEnd();
  if (pos_ >= data_.size()) return false;
  record->line = line_;
  record->fields.clear();
  record->error.clear();
  while (true) {
    std::string field;
    if (pos_ < data_.size() && data_[pos_] == '"') {
      ++pos_;
      bool closed = false;
      while (pos_ < data_.size()) {
        const char c = data_[pos_];
        if (c == '"') {
          if (pos_ + 1 < data_.size() && data_[pos_ + 1] == '"') {
            field.push_back('"');
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        if (c == '\n') ++line_;
        field.push_back(c);
        ++pos_;
      }
      if (!closed) {
        record->error = "a quoted field is not closed before the end of the file";
        return true;
      }
      if (pos_ < data_.size() && data_[pos_] != ',' && !AtLineEnd()) {
        record->error = "only a comma or the end of the line may follow a closing quote";
        SkipLine();
        return true;
      }
    } else {
      while (pos_ < data_.size() && data_[pos_] != ',' && !AtLineEnd()) {
        if (data_[pos_] == '"') {
          record->error =
              "a quote inside an unquoted field (quote the whole field and double the quote)";
          SkipLine();
          return true;
        }
        field.push_back(data_[pos_]);
        ++pos_;
      }
    }
    record->fields.push_back(std::move(field));
    if (pos_ >= data_.size()) return true;
    if (data_[pos_] == ',') {
      ++pos_;  // a comma at the end of the data or a line is followed by an empty field
      continue;
    }
    ConsumeLineEnd();
    return true;
  }
}

void AppendCsvField(std::string* out, absl::string_view value) {
  const bool formula =
      !value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@');
  const bool quote = value.find_first_of(",\"\r\n") != absl::string_view::npos;
  if (quote) out->push_back('"');
  if (formula) out->push_back('\'');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  if (quote) out->push_back('"');
}

}  // namespace fangxian::identity
