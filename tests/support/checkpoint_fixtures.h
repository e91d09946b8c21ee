// Checkpoints for the checkpoint service's black-box tests: made through the API (for
// tests of what builds on them: roster, inspections, passages), or inserted straight into
// the schema when the API is not what the test is about (alerts). Header-only: tests
// that include it link checkpoint_lib, which brings the checkpoint protos.
#ifndef FANGXIAN_TESTS_SUPPORT_CHECKPOINT_FIXTURES_H_
#define FANGXIAN_TESTS_SUPPORT_CHECKPOINT_FIXTURES_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fangxian/checkpoint/v1/checkpoint.grpc.pb.h"
#include "tests/support/grpc_client.h"

namespace fangxian::testing {

// Creates a checkpoint named `name` over `areas` with CreateCheckpoint as `token` (a
// compound gate; consolidated when it covers several areas). Returns its id; "" and a
// test failure when refused.
inline std::string CreateCheckpoint(const std::shared_ptr<grpc::Channel>& channel,
                                    const std::string& token, const std::string& name,
                                    const std::vector<std::string>& areas) {
  namespace cpv1 = checkpoint::v1;
  cpv1::CreateCheckpointRequest req;
  req.mutable_checkpoint()->set_name(name);
  req.mutable_checkpoint()->set_kind(areas.size() > 1 ? cpv1::CHECKPOINT_KIND_CONSOLIDATED
                                                      : cpv1::CHECKPOINT_KIND_COMPOUND_GATE);
  for (const std::string& area : areas) req.mutable_checkpoint()->add_area_codes(area);
  cpv1::Checkpoint out;
  grpc::Status st = cpv1::CheckpointService::NewStub(channel)->CreateCheckpoint(
      CallContextWith(token).get(), req, &out);
  EXPECT_TRUE(st.ok()) << name << ": " << st.error_message();
  return out.checkpoint_id();
}

// Inserts a checkpoint covering `area` with the SQL runner `sql` (one statement, first
// column of each row) and returns its id.
inline std::string InsertCheckpoint(
    const std::function<std::vector<std::string>(const std::string&)>& sql,
    const std::string& area) {
  const std::string id =
      sql("INSERT INTO checkpoint.checkpoints (name, kind, created_by) VALUES ('gate', 1, 'test') "
          "RETURNING checkpoint_id")
          .at(0);
  sql("INSERT INTO checkpoint.checkpoint_areas VALUES ('" + id + "', '" + area + "')");
  return id;
}

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_CHECKPOINT_FIXTURES_H_
