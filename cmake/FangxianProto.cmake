# fx_proto_library(<target> PROTOS <files relative to proto/ or googleapis> [GRPC] [DEPS <targets>])
#
# One static library per proto package: generated message code, and gRPC stubs when
# GRPC is given. Generated code is compiled without our warning flags (it is not ours)
# and its headers are exported as SYSTEM includes so they do not trip -Wextra in ours.
set(FX_PROTO_ROOT ${CMAKE_SOURCE_DIR}/proto)
set(FX_GOOGLEAPIS_ROOT
    /usr/share/gocode/src/github.com/grpc-ecosystem/grpc-gateway/third_party/googleapis
    CACHE PATH "Folder holding google/api/annotations.proto (Debian: golang-github-grpc-ecosystem-grpc-gateway-dev)")
set(FX_PROTO_GEN ${CMAKE_BINARY_DIR}/gen)
file(MAKE_DIRECTORY ${FX_PROTO_GEN})
get_target_property(FX_GRPC_CPP_PLUGIN gRPC::grpc_cpp_plugin LOCATION)

function(fx_proto_library target)
  cmake_parse_arguments(ARG "GRPC" "" "PROTOS;DEPS" ${ARGN})
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    if(EXISTS ${FX_PROTO_ROOT}/${proto})
      set(abs ${FX_PROTO_ROOT}/${proto})
    else()
      set(abs ${FX_GOOGLEAPIS_ROOT}/${proto})
    endif()
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    set(outs ${FX_PROTO_GEN}/${stem}.pb.cc ${FX_PROTO_GEN}/${stem}.pb.h)
    set(plugin_args)
    if(ARG_GRPC)
      list(APPEND outs ${FX_PROTO_GEN}/${stem}.grpc.pb.cc ${FX_PROTO_GEN}/${stem}.grpc.pb.h)
      set(plugin_args --grpc_out=${FX_PROTO_GEN} --plugin=protoc-gen-grpc=${FX_GRPC_CPP_PLUGIN})
    endif()
    add_custom_command(
      OUTPUT ${outs}
      COMMAND protobuf::protoc
        -I${FX_PROTO_ROOT} -I${FX_GOOGLEAPIS_ROOT} -I${Protobuf_INCLUDE_DIRS}
        --cpp_out=${FX_PROTO_GEN} ${plugin_args} ${abs}
      DEPENDS ${abs} protobuf::protoc
      COMMENT "protoc ${proto}"
      VERBATIM)
    list(FILTER outs INCLUDE REGEX "\\.cc$")
    list(APPEND srcs ${outs})
  endforeach()
  add_library(${target} STATIC ${srcs})
  target_compile_options(${target} PRIVATE -w)
  target_include_directories(${target} SYSTEM PUBLIC ${FX_PROTO_GEN})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  if(ARG_GRPC)
    target_link_libraries(${target} PUBLIC gRPC::grpc++)
  endif()
endfunction()
