# passerelle_embed_files(OUT NAMESPACE FUNCTION FILES...) writes a C++ source that holds the
# given data files (schemas, catalogue) so that the binary never depends on where it runs.
# The generated function returns a map from file name to content.
function(passerelle_embed_files out namespace function)
  set(files ${ARGN})
  string(JOIN "|" joined ${files})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} -DFUNCTION=${function}
            "-DFILES=${joined}" -P ${PROJECT_SOURCE_DIR}/cmake/embed_files_script.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/embed_files_script.cmake
    COMMENT "Embedding data files into ${out}"
    VERBATIM)
endfunction()
