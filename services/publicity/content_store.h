// Storage of content items behind a small interface; PgContentStore is the one that ships.
#ifndef FANGXIAN_SERVICES_PUBLICITY_CONTENT_STORE_H_
#define FANGXIAN_SERVICES_PUBLICITY_CONTENT_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/pg.h"

namespace fangxian::publicity {

struct ContentRow {
  std::string content_id;
  int kind = 0;   // proto number of v1::ContentKind
  int state = 0;  // proto number of v1::ContentState
  std::string title;
  std::string body;
  std::string series;
  std::vector<std::string> area_codes;  // in lexical order when read back
  std::string author;
  int64_t created_at_micros = 0;
};

class ContentStore {
 public:
  virtual ~ContentStore() = default;
  // Inserts the item and its target areas atomically and returns the stored row (id and
  // time filled).
  virtual absl::StatusOr<ContentRow> Insert(const ContentRow& row) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<ContentRow> Get(const std::string& content_id) = 0;
};

class PgContentStore final : public ContentStore {
 public:
  explicit PgContentStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<ContentRow> Insert(const ContentRow& row) override;
  absl::StatusOr<ContentRow> Get(const std::string& content_id) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_CONTENT_STORE_H_
