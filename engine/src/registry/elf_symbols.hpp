#pragma once
// Reads the plugin registrations of a library without loading it.
//
// Why not boost::dll::library_info (1.74)? Measured on this toolchain, it
//  - reads only .symtab, so a stripped library (`cmake --install --strip`, distro packages)
//    shows no plugins at all, although dlsym finds them through .dynsym;
//  - resolves names in the *last* SHT_STRTAB section (.shstrtab with GNU ld) instead of the
//    symbol table's linked one: names work only by accident (stale bytes of a shrunk
//    vector), and a small library's registration came back empty;
//  - trusts every offset in the file: a truncated or corrupt library reads out of bounds.
// This reader looks where the dynamic loader looks (.dynsym and its linked string table),
// checks every offset against the file size, and never throws for a bad file.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace graph_runner::engine::detail {

// Names of the exported symbols (global or weak, default visibility) defined in section
// `section` of the native-format ELF shared object `file`: empty when it has no such
// section; nullopt when `file` is unreadable or not a well-formed native ELF shared object.
std::optional<std::vector<std::string>> elf_section_symbols(const std::filesystem::path& file,
                                                            std::string_view section);

}  // namespace graph_runner::engine::detail
