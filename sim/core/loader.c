/* bcm2835-sim core: kernel loader. An ELF (recognised by its magic) is loaded by its
 * PT_LOAD program headers at their physical addresses, entry = e_entry (translated to
 * physical when the segment's vaddr differs); anything else is a raw kernel.img at
 * 0x8000 with entry 0x8000, as the Pi firmware does. The loaded bytes are kept so that
 * a board reset reloads a pristine image (the real firmware reloads kernel.img). */
#include "sim_internal.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

static int add_segment(sim_t *s, uint32_t addr, const uint8_t *data, uint32_t filesz, uint32_t memsz)
{
    if ((uint64_t)addr + memsz > s->ram_size || filesz > memsz) {
        fprintf(stderr, "bcm2835-sim: segment 0x%08x+0x%x is outside RAM\n", addr, memsz);
        return -1;
    }
    sim_segment_t *g = realloc(s->segs, (size_t)(s->nsegs + 1) * sizeof *g);
    if (!g) return -1;
    s->segs = g;
    g = &s->segs[s->nsegs];
    g->data = malloc(filesz ? filesz : 1);
    if (!g->data) return -1;
    memcpy(g->data, data, filesz);
    g->addr = addr;
    g->filesz = filesz;
    g->memsz = memsz;
    s->nsegs++;
    if (sim_load_raw(s, addr, data, filesz) != 0) return -1;
    memset(s->ram + addr + filesz, 0, memsz - filesz);
    return 0;
}

int sim_load_raw(sim_t *s, uint32_t addr, const void *data, size_t len)
{
    if ((uint64_t)addr + len > s->ram_size) return -1;
    memcpy(s->ram + addr, data, len);
    sim_cost_cache_flush(s);
    if (len) uc_ctl_remove_cache(s->uc, addr, (uint64_t)addr + len);
    return 0;
}

/* Keeps the named symbols of .symtab (SHT_SYMTAB + its string table) for
 * sim_symbol_lookup. A missing or malformed table only means no symbols. */
static void load_symbols(sim_t *s, const uint8_t *img, size_t len)
{
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img;
    if (!eh->e_shoff || eh->e_shentsize != sizeof(Elf32_Shdr) ||
        (uint64_t)eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf32_Shdr) > len)
        return;
    const Elf32_Shdr *sh = (const Elf32_Shdr *)(img + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_entsize != sizeof(Elf32_Sym) || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf32_Shdr *st = &sh[sh[i].sh_link];
        if ((uint64_t)sh[i].sh_offset + sh[i].sh_size > len || (uint64_t)st->sh_offset + st->sh_size > len)
            continue;
        const Elf32_Sym *sym = (const Elf32_Sym *)(img + sh[i].sh_offset);
        const char *str = (const char *)(img + st->sh_offset);
        size_t n = sh[i].sh_size / sizeof(Elf32_Sym);
        sim_symbol_t *v = realloc(s->syms, (s->nsyms + n) * sizeof *v);
        if (!v) return;
        s->syms = v;
        for (size_t k = 0; k < n; k++) {
            unsigned type = ELF32_ST_TYPE(sym[k].st_info);
            if (sym[k].st_name == 0 || sym[k].st_name >= st->sh_size || sym[k].st_shndx == SHN_UNDEF ||
                type == STT_SECTION || type == STT_FILE)
                continue;
            const char *nm = str + sym[k].st_name;
            size_t l = strnlen(nm, st->sh_size - sym[k].st_name);
            if (l == 0 || l == st->sh_size - sym[k].st_name) continue; /* empty or unterminated */
            /* ARM mapping symbols ($a, $t, $d) are not names */
            if (nm[0] == '$') continue;
            char *copy = strdup(nm);
            if (!copy) return;
            s->syms[s->nsyms++] = (sim_symbol_t){.name = copy, .value = sym[k].st_value & (type == STT_FUNC ? ~1u : ~0u)};
        }
    }
}

int sim_symbol_lookup(const sim_t *s, const char *name, uint32_t *addr)
{
    for (size_t i = 0; i < s->nsyms; i++) {
        if (strcmp(s->syms[i].name, name) == 0) {
            *addr = s->syms[i].value;
            return 0;
        }
    }
    return -1;
}

static int load_elf(sim_t *s, const uint8_t *img, size_t len, const char *path)
{
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img;
    if (len < sizeof *eh || eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
        eh->e_machine != EM_ARM || eh->e_phentsize != sizeof(Elf32_Phdr) ||
        (uint64_t)eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > len) {
        fprintf(stderr, "bcm2835-sim: %s: not a 32-bit little-endian ARM ELF\n", path);
        return -1;
    }
    uint32_t entry = eh->e_entry;
    bool entry_mapped = false;
    int loaded = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const Elf32_Phdr *ph = (const Elf32_Phdr *)(img + eh->e_phoff + i * sizeof(Elf32_Phdr));
        if (ph->p_type != PT_LOAD || ph->p_memsz == 0) continue;
        if ((uint64_t)ph->p_offset + ph->p_filesz > len) {
            fprintf(stderr, "bcm2835-sim: %s: truncated segment %u\n", path, i);
            return -1;
        }
        if (add_segment(s, ph->p_paddr, img + ph->p_offset, ph->p_filesz, ph->p_memsz) != 0) return -1;
        if (!entry_mapped && (entry & ~1u) - ph->p_vaddr < ph->p_memsz) {
            entry = entry - ph->p_vaddr + ph->p_paddr;
            entry_mapped = true;
        }
        loaded++;
    }
    if (!loaded) {
        fprintf(stderr, "bcm2835-sim: %s: no loadable segment\n", path);
        return -1;
    }
    load_symbols(s, img, len);
    sim_set_entry(s, entry);
    return 0;
}

int sim_load_image(sim_t *s, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    uint8_t *img = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : (1u << 20);
            uint8_t *n = realloc(img, cap);
            if (!n) {
                free(img);
                fclose(f);
                return -1;
            }
            img = n;
        }
        size_t got = fread(img + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    bool err = ferror(f);
    fclose(f);
    if (err || len == 0) {
        fprintf(stderr, "bcm2835-sim: %s: %s\n", path, err ? "read error" : "empty file");
        free(img);
        return -1;
    }
    for (int i = 0; i < s->nsegs; i++) free(s->segs[i].data);
    s->nsegs = 0;
    for (size_t i = 0; i < s->nsyms; i++) free(s->syms[i].name);
    s->nsyms = 0;
    int r;
    if (len >= 4 && memcmp(img, ELFMAG, SELFMAG) == 0) {
        r = load_elf(s, img, len, path);
    } else {
        r = add_segment(s, SIM_RESET_PC, img, (uint32_t)len, (uint32_t)len);
        if (r == 0) sim_set_entry(s, SIM_RESET_PC);
    }
    free(img);
    return r;
}
