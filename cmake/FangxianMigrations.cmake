# fx_embed_migrations(<target> DIR <folder> NAMESPACE <c++ namespace>)
#
# Compiles the numbered SQL files of a service (NNN_name.sql) into the binary, so a
# container needs no files beside the executable. Generates
#   const std::vector<fangxian::common::Migration>& <namespace>::Migrations();
# The generated file is rebuilt whenever a migration file is added or changed.
function(fx_embed_migrations target)
  cmake_parse_arguments(ARG "" "DIR;NAMESPACE" "" ${ARGN})
  file(GLOB sql_files CONFIGURE_DEPENDS ${ARG_DIR}/*.sql)
  list(SORT sql_files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${ARG_NAMESPACE}
            "-DFILES=${sql_files}" -P ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
    DEPENDS ${sql_files} ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
    COMMENT "embedding migrations for ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
