// The import's CSV reader and the export's field quoting (pure: no storage), and how a
// row validation error is reported per column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/identity/resident_csv.h"
#include "services/identity/resident_import.h"

namespace fangxian::identity {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<CsvRecord> ReadAll(absl::string_view data) {
  CsvReader reader(data);
  std::vector<CsvRecord> out;
  CsvRecord r;
  while (reader.Next(&r)) out.push_back(r);
  return out;
}

TEST(CsvReaderTest, PlainRecordsWithLfOrCrlf) {
  auto rs = ReadAll("a,b,c\r\n1,2,3\n4,5,6");
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_THAT(rs[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_THAT(rs[1].fields, ElementsAre("1", "2", "3"));
  EXPECT_THAT(rs[2].fields, ElementsAre("4", "5", "6"));
  EXPECT_EQ(rs[2].line, 3);
  EXPECT_THAT(rs[2].error, IsEmpty());
}

TEST(CsvReaderTest, QuotedFieldsHoldCommasQuotesAndLineEnds) {
  auto rs = ReadAll("\"Li, Na\",\"say \"\"hi\"\"\",\"two\r\nlines\"\nnext,x,y\n");
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_THAT(rs[0].fields, ElementsAre("Li, Na", "say \"hi\"", "two\r\nlines"));
  EXPECT_EQ(rs[0].line, 1);
  // The record after a field spanning two lines starts on line 3.
  EXPECT_EQ(rs[1].line, 3);
  EXPECT_THAT(rs[1].fields, ElementsAre("next", "x", "y"));
}

TEST(CsvReaderTest, ByteOrderMarkIsSkippedAndEmptyQuotedFieldIsEmpty) {
  auto rs = ReadAll("\xEF\xBB\xBFname,\"\",x");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_THAT(rs[0].fields, ElementsAre("name", "", "x"));
}

TEST(CsvReaderTest, BlankLinesAreSkippedButCountedAndTrailingCommaIsAnEmptyField) {
  auto rs = ReadAll("\r\na,b\n\n\r\nc,\n\n");
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].line, 2);
  EXPECT_EQ(rs[1].line, 5);
  EXPECT_THAT(rs[1].fields, ElementsAre("c", ""));
}

TEST(CsvReaderTest, RaggedRowsKeepTheirOwnFieldCount) {
  auto rs = ReadAll("a,b,c\n1\n1,2,3,4\n");
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[1].fields.size(), 1u);
  EXPECT_EQ(rs[2].fields.size(), 4u);
}

TEST(CsvReaderTest, MalformedQuotingIsReportedAndReadingResumesOnTheNextLine) {
  auto rs = ReadAll("ab\"c,d\n\"x\"y,z\nok,1\n\"never closed,2\n3");
  ASSERT_EQ(rs.size(), 4u);
  EXPECT_THAT(rs[0].error, HasSubstr("quote inside an unquoted field"));
  EXPECT_THAT(rs[1].error, HasSubstr("closing quote"));
  EXPECT_EQ(rs[1].line, 2);
  EXPECT_THAT(rs[2].error, IsEmpty());
  EXPECT_THAT(rs[2].fields, ElementsAre("ok", "1"));
  EXPECT_EQ(rs[3].line, 4);
  EXPECT_THAT(rs[3].error, HasSubstr("not closed"));
}

TEST(CsvReaderTest, EmptyInputHasNoRecords) {
  EXPECT_TRUE(ReadAll("").empty());
  EXPECT_TRUE(ReadAll("\xEF\xBB\xBF\r\n\n").empty());
}

TEST(AppendCsvFieldTest, QuotesOnlyWhenNeededAndDefusesFormulas) {
  std::string out;
  AppendCsvField(&out, "plain");
  out += '|';
  AppendCsvField(&out, "a,b");
  out += '|';
  AppendCsvField(&out, "say \"hi\"");
  out += '|';
  AppendCsvField(&out, "=HYPERLINK(\"x\")");
  out += '|';
  AppendCsvField(&out, "@cmd");
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"'=HYPERLINK(\"\"x\"\")\"|'@cmd");
  // What the writer produces, the reader reads back.
  auto rs = ReadAll("\"a,b\",\"say \"\"hi\"\"\"");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_THAT(rs[0].fields, ElementsAre("a,b", "say \"hi\""));
}

TEST(ExplainRowErrorTest, NamesTheColumnAndDropsTheFieldPrefix) {
  auto [column, reason] =
      ExplainRowError(absl::InvalidArgumentError("resident.phone must be an 11-digit number"));
  EXPECT_EQ(column, "phone");
  EXPECT_EQ(reason, "phone must be an 11-digit number");
  std::tie(column, reason) =
      ExplainRowError(absl::InvalidArgumentError("resident.id_number: wrong check character"));
  EXPECT_EQ(column, "id_number");
  EXPECT_EQ(reason, "id_number: wrong check character");
  std::tie(column, reason) = ExplainRowError(
      absl::PermissionDeniedError("resident.area_code: area a.b is outside your area scope"));
  EXPECT_EQ(column, "area_code");
  std::tie(column, reason) = ExplainRowError(absl::InternalError("something else"));
  EXPECT_EQ(column, "");
  EXPECT_EQ(reason, "something else");
}

}  // namespace
}  // namespace fangxian::identity
