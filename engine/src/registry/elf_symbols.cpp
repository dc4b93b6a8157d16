#include "registry/elf_symbols.hpp"

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>

namespace graph_runner::engine::detail {
namespace {

// Only the format this process can load: a library of another class or byte order could
// never be dlopen'ed here, so it cannot provide plugins either.
#if UINTPTR_MAX == 0xffffffffffffffffULL
using Ehdr = Elf64_Ehdr;
using Shdr = Elf64_Shdr;
using Sym = Elf64_Sym;
constexpr unsigned char native_class = ELFCLASS64;
inline unsigned char symbol_bind(unsigned char info) { return ELF64_ST_BIND(info); }
inline unsigned char symbol_visibility(unsigned char other) { return ELF64_ST_VISIBILITY(other); }
#else
using Ehdr = Elf32_Ehdr;
using Shdr = Elf32_Shdr;
using Sym = Elf32_Sym;
constexpr unsigned char native_class = ELFCLASS32;
inline unsigned char symbol_bind(unsigned char info) { return ELF32_ST_BIND(info); }
inline unsigned char symbol_visibility(unsigned char other) { return ELF32_ST_VISIBILITY(other); }
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr unsigned char native_data = ELFDATA2LSB;
#else
constexpr unsigned char native_data = ELFDATA2MSB;
#endif

// A file read in bounds-checked pieces; every failure is a `false`, never an exception.
class ElfFile {
 public:
  explicit ElfFile(const std::filesystem::path& path) : in_(path, std::ios::binary) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    size_ = ec ? 0 : static_cast<std::uint64_t>(size);
  }
  bool ok() const { return in_.is_open() && size_ > 0; }

  bool read(std::uint64_t offset, void* out, std::uint64_t length) {
    if (offset > size_ || length > size_ - offset) return false;
    if (length > static_cast<std::uint64_t>(std::numeric_limits<std::streamsize>::max())) return false;
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(static_cast<char*>(out), static_cast<std::streamsize>(length));
    return static_cast<std::uint64_t>(in_.gcount()) == length;
  }
  template <class T> bool read_table(std::uint64_t offset, std::uint64_t count, std::vector<T>& out) {
    if (count > size_ / sizeof(T)) return false;  // cannot fit: also guards the allocation
    out.resize(static_cast<std::size_t>(count));
    return count == 0 || read(offset, out.data(), count * sizeof(T));
  }
  // A string table's bytes; it must end in NUL so every name in it is terminated.
  bool read_strings(const Shdr& table, std::vector<char>& out) {
    if (table.sh_type != SHT_STRTAB || table.sh_size == 0) return false;
    return read_table(table.sh_offset, table.sh_size, out) && out.back() == '\0';
  }

 private:
  std::ifstream in_;
  std::uint64_t size_ = 0;
};

bool native_shared_object(const Ehdr& h) {
  return std::memcmp(h.e_ident, ELFMAG, SELFMAG) == 0 && h.e_ident[EI_CLASS] == native_class &&
         h.e_ident[EI_DATA] == native_data && h.e_type == ET_DYN && h.e_shentsize == sizeof(Shdr);
}

}  // namespace

std::optional<std::vector<std::string>> elf_section_symbols(const std::filesystem::path& file,
                                                            std::string_view section) {
  ElfFile elf(file);
  Ehdr header{};
  if (!elf.ok() || !elf.read(0, &header, sizeof header) || !native_shared_object(header)) return std::nullopt;

  // Section count and name-table index may be escaped into section 0 (ELF extended numbering).
  Shdr first{};
  if (header.e_shoff == 0 || !elf.read(header.e_shoff, &first, sizeof first)) return std::nullopt;
  const std::uint64_t count = header.e_shnum != 0 ? header.e_shnum : first.sh_size;
  const std::uint64_t names_index = header.e_shstrndx != SHN_XINDEX ? header.e_shstrndx : first.sh_link;
  std::vector<Shdr> sections;
  if (!elf.read_table(header.e_shoff, count, sections) || names_index >= sections.size()) return std::nullopt;
  std::vector<char> section_names;
  if (!elf.read_strings(sections[names_index], section_names)) return std::nullopt;

  std::uint64_t wanted = 0;  // 0 (SHN_UNDEF) = not present
  const Shdr* dynsym = nullptr;
  for (std::size_t i = 1; i < sections.size(); ++i) {
    const Shdr& s = sections[i];
    if (s.sh_type == SHT_DYNSYM) dynsym = &s;
    if (s.sh_name < section_names.size() && section == &section_names[s.sh_name]) wanted = i;
  }
  std::vector<std::string> names;
  if (wanted == 0 || dynsym == nullptr) return names;  // a library, just not a plugin library

  if (dynsym->sh_entsize != sizeof(Sym) || dynsym->sh_link >= sections.size()) return std::nullopt;
  std::vector<Sym> symbols;
  std::vector<char> strings;
  if (!elf.read_table(dynsym->sh_offset, dynsym->sh_size / sizeof(Sym), symbols) ||
      !elf.read_strings(sections[dynsym->sh_link], strings))
    return std::nullopt;

  for (const Sym& sym : symbols) {
    // Symbols in sections beyond SHN_LORESERVE use an index table; registrations never do.
    const bool exported = (symbol_bind(sym.st_info) == STB_GLOBAL || symbol_bind(sym.st_info) == STB_WEAK) &&
                          symbol_visibility(sym.st_other) == STV_DEFAULT;
    if (sym.st_shndx != wanted || !exported || sym.st_name == 0 || sym.st_name >= strings.size()) continue;
    names.emplace_back(&strings[sym.st_name]);
  }
  return names;
}

}  // namespace graph_runner::engine::detail
