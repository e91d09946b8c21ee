#include "gateway/services.h"

#include <cstdlib>

#include "common/log.h"
#include "fangxian/bench/v1/echo.pb.h"
#include "fangxian/checkpoint/v1/alerts.pb.h"
#include "fangxian/checkpoint/v1/checkpoint.pb.h"
#include "fangxian/checkpoint/v1/inspections.pb.h"
#include "fangxian/checkpoint/v1/passages.pb.h"
#include "fangxian/checkpoint/v1/roster.pb.h"
#include "fangxian/checkpoint/v1/statistics.pb.h"
#include "fangxian/identity/v1/areas.pb.h"
#include "fangxian/identity/v1/households.pb.h"
#include "fangxian/identity/v1/identity.pb.h"
#include "fangxian/identity/v1/import.pb.h"
#include "fangxian/publicity/v1/content_views.pb.h"
#include "fangxian/publicity/v1/loudspeaker.pb.h"
#include "fangxian/publicity/v1/materials.pb.h"
#include "fangxian/publicity/v1/public_content.pb.h"
#include "fangxian/publicity/v1/publicity.pb.h"
#include "fangxian/publicity/v1/statistics.pb.h"
#include "fangxian/quarantine/v1/check_ins.pb.h"
#include "fangxian/quarantine/v1/isolation.pb.h"
#include "fangxian/quarantine/v1/quarantine.pb.h"
#include "fangxian/quarantine/v1/service_requests.pb.h"
#include "fangxian/quarantine/v1/statistics.pb.h"
#include "fangxian/quarantine/v1/sweeps.pb.h"
#include "fangxian/quarantine/v1/violations.pb.h"

namespace fangxian::gateway {
namespace {

// Naming each file's descriptor table makes the linker keep the generated code, whose
// static initialiser registers the file (and its services) in the generated pool.
const google::protobuf::ServiceDescriptor* Find(
    const google::protobuf::internal::DescriptorTable& table, const char* service) {
  const google::protobuf::FileDescriptor* file =
      google::protobuf::DescriptorPool::generated_pool()->FindFileByName(table.filename);
  const google::protobuf::ServiceDescriptor* s =
      file == nullptr ? nullptr : file->FindServiceByName(service);
  if (s == nullptr) {
    // A build problem, not a configuration one: fail at once.
    common::LogError("service descriptor missing from the generated pool",
                     {{"file", table.filename}, {"service", service}});
    std::abort();
  }
  return s;
}

}  // namespace

std::vector<RoutedService> RoutedServices() {
  return {
      {"identity", "FX_IDENTITY_ADDR",
       Find(descriptor_table_fangxian_2fidentity_2fv1_2fidentity_2eproto, "IdentityService")},
      {"identity", "FX_IDENTITY_ADDR",
       Find(descriptor_table_fangxian_2fidentity_2fv1_2fareas_2eproto, "AreaService")},
      {"identity", "FX_IDENTITY_ADDR",
       Find(descriptor_table_fangxian_2fidentity_2fv1_2fhouseholds_2eproto, "HouseholdService")},
      {"identity", "FX_IDENTITY_ADDR",
       Find(descriptor_table_fangxian_2fidentity_2fv1_2fimport_2eproto, "ResidentImportService")},
      {"checkpoint", "FX_CHECKPOINT_ADDR",
       Find(descriptor_table_fangxian_2fcheckpoint_2fv1_2fcheckpoint_2eproto, "CheckpointService")},
      {"checkpoint", "FX_CHECKPOINT_ADDR",
       Find(descriptor_table_fangxian_2fcheckpoint_2fv1_2froster_2eproto, "RosterService")},
      {"checkpoint", "FX_CHECKPOINT_ADDR",
       Find(descriptor_table_fangxian_2fcheckpoint_2fv1_2finspections_2eproto,
            "InspectionService")},
      {"checkpoint", "FX_CHECKPOINT_ADDR",
       Find(descriptor_table_fangxian_2fcheckpoint_2fv1_2falerts_2eproto, "AlertService")},
      {"checkpoint", "FX_CHECKPOINT_ADDR",
       Find(descriptor_table_fangxian_2fcheckpoint_2fv1_2fpassages_2eproto, "PassageService")},
      {"checkpoint", "FX_CHECKPOINT_ADDR",
       Find(descriptor_table_fangxian_2fcheckpoint_2fv1_2fstatistics_2eproto, "StatisticsService")},
      {"quarantine", "FX_QUARANTINE_ADDR",
       Find(descriptor_table_fangxian_2fquarantine_2fv1_2fquarantine_2eproto, "QuarantineService")},
      {"quarantine", "FX_QUARANTINE_ADDR",
       Find(descriptor_table_fangxian_2fquarantine_2fv1_2fcheck_5fins_2eproto,
            "HealthCheckInService")},
      {"quarantine", "FX_QUARANTINE_ADDR",
       Find(descriptor_table_fangxian_2fquarantine_2fv1_2fservice_5frequests_2eproto,
            "ServiceRequestService")},
      {"quarantine", "FX_QUARANTINE_ADDR",
       Find(descriptor_table_fangxian_2fquarantine_2fv1_2fisolation_2eproto, "IsolationService")},
      {"quarantine", "FX_QUARANTINE_ADDR",
       Find(descriptor_table_fangxian_2fquarantine_2fv1_2fviolations_2eproto, "ViolationService")},
      {"quarantine", "FX_QUARANTINE_ADDR",
       Find(descriptor_table_fangxian_2fquarantine_2fv1_2fsweeps_2eproto, "SweepService")},
      {"quarantine", "FX_QUARANTINE_ADDR",
       Find(descriptor_table_fangxian_2fquarantine_2fv1_2fstatistics_2eproto,
            "QuarantineStatisticsService")},
      {"publicity", "FX_PUBLICITY_ADDR",
       Find(descriptor_table_fangxian_2fpublicity_2fv1_2fpublicity_2eproto, "PublicityService")},
      {"publicity", "FX_PUBLICITY_ADDR",
       Find(descriptor_table_fangxian_2fpublicity_2fv1_2floudspeaker_2eproto,
            "LoudspeakerService")},
      {"publicity", "FX_PUBLICITY_ADDR",
       Find(descriptor_table_fangxian_2fpublicity_2fv1_2fmaterials_2eproto, "MaterialService")},
      {"publicity", "FX_PUBLICITY_ADDR",
       Find(descriptor_table_fangxian_2fpublicity_2fv1_2fstatistics_2eproto,
            "PublicityStatisticsService")},
      {"publicity", "FX_PUBLICITY_ADDR",
       Find(descriptor_table_fangxian_2fpublicity_2fv1_2fpublic_5fcontent_2eproto,
            "PublicContentService")},
      {"publicity", "FX_PUBLICITY_ADDR",
       Find(descriptor_table_fangxian_2fpublicity_2fv1_2fcontent_5fviews_2eproto,
            "ContentViewService")},
  };
}

RoutedService BenchEchoService() {
  return {"bench", "FX_BENCH_ADDR",
          Find(descriptor_table_fangxian_2fbench_2fv1_2fecho_2eproto, "EchoService")};
}

}  // namespace fangxian::gateway
