/* skpack: ELF relocatable object (arm-none-eabi-gcc -c / ld -r, SDK flags) -> serverkernel
 * payload (target/sk/sk_payload.h, docs/protocol.md "Payload format").
 *
 *   skpack -k KEYFILE -o OUT.skp [-e SYMBOL] IN.o     pack (entry symbol default sk_main)
 *   skpack --info FILE.skp [-k KEYFILE]                print a payload's header (and check it)
 *
 * Packing is a small static link at address 0: allocatable sections are grouped into text
 * (executable), rodata (read-only), data (writable) and bss (NOBITS), each group 8-aligned,
 * in that order; .ARM.exidx/.ARM.extab (unwind tables) are dropped. Relocations:
 *   R_ARM_CALL, R_ARM_JUMP24, R_ARM_PC24, R_ARM_REL32   resolved here (PC-relative)
 *   R_ARM_ABS32                                        resolved to an image offset here and
 *                                                      listed for the loader (+ load address)
 *   R_ARM_NONE, R_ARM_V4BX                             nothing to do
 * Anything else (GOT-based -fPIC code, Thumb, MOVW/MOVT, TLS) is refused with the place it
 * occurs, as are undefined symbols (payloads reach the kernel only through the API table
 * passed to sk_main; libgcc helpers such as integer division are not provided), COMMON
 * symbols, constructors, and images larger than the payload arena. Exit status 0 on
 * success, 1 on any refusal (message on stderr, nothing written). */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "memmap.h"
#include "sk/loader.h"
#include "sk/sk_abi.h"
#include "sk/sk_payload.h"
#include "skkey.h"

#define MAXSEC 256
enum { C_TEXT, C_RODATA, C_DATA, C_BSS, C_NCLASS, C_DROP = -1, C_NONE = -2 };

typedef struct sec {
    int cls;
    const char *name;
    uint32_t size, align, addr; /* addr: image offset */
    uint8_t *bytes;             /* copy of the contents (NULL for bss) */
} sec_t;

static sec_t secs[MAXSEC];
static size_t nsec;
static int errors;
static const char *in_path;
static uint8_t *img, *file;   /* freed at exit (every path) */
static uint32_t *relocs;

static void cleanup(void)
{
    for (size_t i = 0; i < MAXSEC; i++)
        free(secs[i].bytes);
    free(img);
    free(file);
    free(relocs);
}

static void refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void refuse(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "skpack: %s: ", in_path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    errors++;
}

static const char *rel_name(unsigned t)
{
    switch (t) {
    case 0: return "R_ARM_NONE";
    case 1: return "R_ARM_PC24";
    case 2: return "R_ARM_ABS32";
    case 3: return "R_ARM_REL32";
    case 10: return "R_ARM_THM_CALL";
    case 24: return "R_ARM_GOTOFF32";
    case 25: return "R_ARM_BASE_PREL";
    case 26: return "R_ARM_GOT_BREL";
    case 28: return "R_ARM_CALL";
    case 29: return "R_ARM_JUMP24";
    case 30: return "R_ARM_THM_JUMP24";
    case 40: return "R_ARM_V4BX";
    case 42: return "R_ARM_PREL31";
    case 43: return "R_ARM_MOVW_ABS_NC";
    case 44: return "R_ARM_MOVT_ABS";
    case 96: return "R_ARM_GOT_PREL";
    case 104: return "R_ARM_TLS_GD32";
    case 107: return "R_ARM_TLS_IE32";
    case 108: return "R_ARM_TLS_LE32";
    default: return "R_ARM_?";
    }
}

static int is_libgcc(const char *n)
{
    static const char *const names[] = {"__udivsi3", "__divsi3", "__umodsi3", "__modsi3", "__muldi3",
                                        "__ashldi3", "__ashrdi3", "__lshrdi3", "__udivdi3", "__divdi3",
                                        "__umoddi3", "__moddi3", "__clzsi2", "__ctzsi2", "__popcountsi2",
                                        "__gnu_", "__aeabi_", 0};
    for (int i = 0; names[i]; i++)
        if (!strncmp(n, names[i], strlen(names[i])))
            return 1;
    return 0;
}

static void undefined(const char *n)
{
    if (is_libgcc(n))
        refuse("call into libgcc '%s' (integer division, 64-bit shifts, ...): kernel ABI v%u provides "
               "no such helper; avoid the operation (e.g. divide by a power of two) or implement it in "
               "the payload",
               n, SK_ABI_VERSION);
    else if (!strcmp(n, "memcpy") || !strcmp(n, "memset") || !strcmp(n, "memmove") || !strcmp(n, "memcmp"))
        refuse("undefined symbol '%s': payloads are not linked against a C library; call it through the "
               "API table (sk_memcpy/sk_memset in sk_sdk.h) or link the SDK's sk_libc.c into the object",
               n);
    else
        refuse("undefined symbol '%s': a payload may only use the kernel API table passed to sk_main "
               "(sk_sdk.h), not external symbols",
               n);
}

static int classify(GElf_Shdr *sh, const char *name)
{
    if (!(sh->sh_flags & SHF_ALLOC))
        return C_NONE;
    if (sh->sh_type == SHT_ARM_EXIDX || !strncmp(name, ".ARM.extab", 10) || !strncmp(name, ".ARM.exidx", 10))
        return C_DROP;
    if (sh->sh_type == SHT_INIT_ARRAY || sh->sh_type == SHT_FINI_ARRAY || sh->sh_type == SHT_PREINIT_ARRAY) {
        refuse("section %s: constructors/destructors are not supported in payloads", name);
        return C_DROP;
    }
    if (sh->sh_flags & SHF_TLS) {
        refuse("section %s: thread-local storage is not supported in payloads", name);
        return C_DROP;
    }
    if (sh->sh_type == SHT_NOBITS)
        return C_BSS;
    if (sh->sh_flags & SHF_EXECINSTR)
        return C_TEXT;
    if (sh->sh_flags & SHF_WRITE)
        return C_DATA;
    return C_RODATA;
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
    return a > 1 ? (v + a - 1) / a * a : v;
}

static int write_file(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, n, f) != n || fclose(f)) {
        fprintf(stderr, "skpack: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int do_info(const char *path, const char *keyfile)
{
    static uint8_t buf[SK_PAYLOAD_MAX_FILE + 1];
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "skpack: %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    uint8_t key[SK_PAYLOAD_KEY_MAX];
    int kl = 0;
    if (keyfile && (kl = skkey_read(keyfile, key, sizeof key)) < 0)
        return 1;
    sk_payload_hdr_t h;
    int rc = sk_loader_verify(buf, (uint32_t)n, key, (uint32_t)kl, MEMMAP_PAYLOAD_SIZE, keyfile != NULL, &h);
    if (n >= SK_PAYLOAD_HDR_SIZE)
        sk_payload_hdr_parse(buf, &h);
    printf("payload %s size=%zu fmt=%u abi=%u entry=0x%x text=%u rodata=%u data=%u bss=%u relocs=%u check=%s%s\n",
           path, n, h.fmt_version, h.abi_version, h.entry, h.text_size, h.rodata_size, h.data_size, h.bss_size,
           h.reloc_count, sk_load_err_str(rc), keyfile ? "" : " (tag not checked: no key)");
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *out = 0, *keyfile = 0, *entry_name = "sk_main", *info = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "-k") && i + 1 < argc)
            keyfile = argv[++i];
        else if (!strcmp(argv[i], "-e") && i + 1 < argc)
            entry_name = argv[++i];
        else if (!strcmp(argv[i], "--info") && i + 1 < argc)
            info = argv[++i];
        else if (argv[i][0] != '-' && !in_path)
            in_path = argv[i];
        else {
            fprintf(stderr, "usage: skpack -k KEYFILE -o OUT.skp [-e SYMBOL] IN.o\n"
                            "       skpack --info FILE.skp [-k KEYFILE]\n");
            return 2;
        }
    }
    if (info)
        return do_info(info, keyfile);
    if (!out || !keyfile || !in_path) {
        fprintf(stderr, "usage: skpack -k KEYFILE -o OUT.skp [-e SYMBOL] IN.o\n");
        return 2;
    }
    uint8_t key[SK_PAYLOAD_KEY_MAX];
    int keylen = skkey_read(keyfile, key, sizeof key);
    if (keylen < 0)
        return 1;

    atexit(cleanup);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return 1;
    int fd = open(in_path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "skpack: %s: %s\n", in_path, strerror(errno));
        return 1;
    }
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    GElf_Ehdr eh;
    if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
        refuse("not an ELF file");
        return 1;
    }
    if (gelf_getclass(e) != ELFCLASS32 || eh.e_machine != EM_ARM || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
        refuse("not a 32-bit little-endian ARM object (compile with arm-none-eabi-gcc and the SDK flags)");
        return 1;
    }
    if (eh.e_type != ET_REL) {
        refuse("not a relocatable object (ELF type %u): give the output of 'gcc -c' or 'ld -r', not a linked "
               "executable",
               eh.e_type);
        return 1;
    }
    size_t shnum, shstrndx;
    if (elf_getshdrnum(e, &shnum) || elf_getshdrstrndx(e, &shstrndx) || shnum > MAXSEC) {
        refuse("bad section table");
        return 1;
    }
    nsec = shnum;
    /* 1. classify and copy sections */
    for (size_t i = 1; i < shnum; i++) {
        Elf_Scn *s = elf_getscn(e, i);
        GElf_Shdr sh;
        gelf_getshdr(s, &sh);
        const char *name = elf_strptr(e, shstrndx, sh.sh_name);
        secs[i].name = name ? name : "?";
        secs[i].cls = classify(&sh, secs[i].name);
        secs[i].size = (uint32_t)sh.sh_size;
        secs[i].align = sh.sh_addralign ? (uint32_t)sh.sh_addralign : 1;
        if (secs[i].cls >= 0 && secs[i].cls != C_BSS && sh.sh_size) {
            Elf_Data *d = elf_getdata(s, NULL);
            secs[i].bytes = calloc(1, sh.sh_size);
            if (d && d->d_buf)
                memcpy(secs[i].bytes, d->d_buf, d->d_size < sh.sh_size ? d->d_size : sh.sh_size);
        }
    }
    secs[0].cls = C_NONE;
    /* 2. layout: text | rodata | data | bss, each class 8-aligned */
    uint32_t cls_start[C_NCLASS], cls_size[C_NCLASS], pos = 0;
    for (int c = 0; c < C_NCLASS; c++) {
        cls_start[c] = pos;
        for (size_t i = 1; i < nsec; i++) {
            if (secs[i].cls != c)
                continue;
            pos = align_up(pos, secs[i].align);
            secs[i].addr = pos;
            pos += secs[i].size;
        }
        pos = align_up(pos, SK_PAYLOAD_SECT_ALIGN);
        cls_size[c] = pos - cls_start[c];
    }
    uint32_t loaded = cls_start[C_BSS], image = pos;
    img = calloc(1, loaded ? loaded : 1);
    /* 3. symbols */
    Elf_Scn *symscn = NULL;
    GElf_Shdr symsh;
    for (size_t i = 1; i < shnum; i++) {
        Elf_Scn *s = elf_getscn(e, i);
        gelf_getshdr(s, &symsh);
        if (symsh.sh_type == SHT_SYMTAB) {
            symscn = s;
            break;
        }
    }
    if (!symscn) {
        refuse("no symbol table");
        return 1;
    }
    Elf_Data *symd = elf_getdata(symscn, NULL);
    size_t nsym = symsh.sh_size / (symsh.sh_entsize ? symsh.sh_entsize : sizeof(Elf32_Sym));
    int have_entry = 0;
    uint32_t entry = 0;
    for (size_t k = 1; k < nsym; k++) {
        GElf_Sym sym;
        gelf_getsym(symd, (int)k, &sym);
        const char *n = elf_strptr(e, symsh.sh_link, sym.st_name);
        if (sym.st_shndx == SHN_COMMON)
            refuse("COMMON symbol '%s': compile with -fno-common (SDK flags)", n ? n : "?");
        if (n && !strcmp(n, entry_name) && sym.st_shndx != SHN_UNDEF && sym.st_shndx < nsec) {
            if (secs[sym.st_shndx].cls != C_TEXT || (sym.st_value & 1u))
                refuse("entry '%s' is not ARM code in a text section", entry_name);
            entry = secs[sym.st_shndx].addr + (uint32_t)sym.st_value;
            have_entry = 1;
        }
    }
    if (!have_entry)
        refuse("no entry symbol '%s' (define it with SK_ENTRY from sk_sdk.h)", entry_name);
    /* 4. relocations */
    relocs = malloc(sizeof(uint32_t) * 65536);
    uint32_t nrel = 0;
    for (size_t i = 1; i < shnum; i++) {
        Elf_Scn *s = elf_getscn(e, i);
        GElf_Shdr sh;
        gelf_getshdr(s, &sh);
        if (sh.sh_type == SHT_RELA) {
            if (sh.sh_info < nsec && secs[sh.sh_info].cls >= 0)
                refuse("RELA relocations in %s: not an ARM EABI object", secs[i].name);
            continue;
        }
        if (sh.sh_type != SHT_REL || sh.sh_info >= nsec)
            continue;
        sec_t *t = &secs[sh.sh_info];
        if (t->cls < 0)
            continue; /* relocations of a dropped or non-allocated section (debug, unwind) */
        Elf_Data *d = elf_getdata(s, NULL);
        size_t nr = sh.sh_size / (sh.sh_entsize ? sh.sh_entsize : sizeof(Elf32_Rel));
        for (size_t r = 0; r < nr; r++) {
            GElf_Rel rel;
            gelf_getrel(d, (int)r, &rel);
            unsigned type = GELF_R_TYPE(rel.r_info);
            size_t si = GELF_R_SYM(rel.r_info);
            uint32_t off = (uint32_t)rel.r_offset;
            GElf_Sym sym;
            memset(&sym, 0, sizeof sym);
            if (si && si < nsym)
                gelf_getsym(symd, (int)si, &sym);
            const char *sname = si ? elf_strptr(e, symsh.sh_link, sym.st_name) : "";
            if (sname && !*sname && sym.st_shndx < nsec && GELF_ST_TYPE(sym.st_info) == STT_SECTION)
                sname = secs[sym.st_shndx].name;
            if (type == 0 || type == 40) /* NONE, V4BX (bx lr on ARMv4: nothing on ARMv6) */
                continue;
            if (type != 1 && type != 2 && type != 3 && type != 28 && type != 29) {
                refuse("unsupported relocation %s (%u) in %s+0x%x against '%s': build with the SDK flags "
                       "(-fPIE -marm -mcpu=arm1176jzf-s; not -fPIC, not -mthumb)",
                       rel_name(type), type, t->name, off, sname ? sname : "?");
                continue;
            }
            if (t->cls == C_BSS || off + 4 > t->size) {
                refuse("relocation at %s+0x%x outside its section", t->name, off);
                continue;
            }
            uint32_t S;
            if (si == 0) {
                S = 0;
            } else if (sym.st_shndx == SHN_UNDEF) {
                undefined(sname ? sname : "?");
                continue;
            } else if (sym.st_shndx == SHN_ABS) {
                S = (uint32_t)sym.st_value;
            } else if (sym.st_shndx < nsec && secs[sym.st_shndx].cls >= 0) {
                S = secs[sym.st_shndx].addr + (uint32_t)sym.st_value;
            } else {
                refuse("relocation in %s+0x%x refers to '%s' in a section that is not loaded", t->name, off,
                       sname ? sname : "?");
                continue;
            }
            uint8_t *w = t->bytes + off;
            uint32_t P = t->addr + off;
            uint32_t A = sk_rd32(w);
            if (type == 2) { /* ABS32: image offset now, + load address at load time */
                sk_wr32(w, S + A);
                relocs[nrel++] = P;
                if (nrel >= 65536) {
                    refuse("too many relocations");
                    break;
                }
            } else if (type == 3) { /* REL32 */
                sk_wr32(w, S + A - P);
            } else { /* PC24, CALL, JUMP24: ARM branch, imm24 words */
                if (S & 1u) {
                    refuse("branch in %s+0x%x to Thumb code '%s': payloads are ARM only (-marm)", t->name, off,
                           sname ? sname : "?");
                    continue;
                }
                int32_t a = (int32_t)((A & 0x00FFFFFFu) << 8) >> 6; /* sign-extended imm24 * 4 */
                int32_t v = (int32_t)(S + (uint32_t)a - P);
                if (v & 3 || v < -(1 << 25) || v >= (1 << 25)) {
                    refuse("branch in %s+0x%x to '%s' out of range", t->name, off, sname ? sname : "?");
                    continue;
                }
                sk_wr32(w, (A & 0xFF000000u) | (((uint32_t)v >> 2) & 0x00FFFFFFu));
            }
        }
    }
    if (image > MEMMAP_PAYLOAD_SIZE / 2)
        refuse("image of %u bytes exceeds the payload limit (%u bytes: half the 1 MiB arena)", image,
               MEMMAP_PAYLOAD_SIZE / 2);
    if (errors) {
        fprintf(stderr, "skpack: %s: %d error(s), no payload written\n", in_path, errors);
        return 1;
    }
    /* 5. image bytes, header, seal */
    for (size_t i = 1; i < nsec; i++)
        if (secs[i].cls >= 0 && secs[i].cls != C_BSS && secs[i].size)
            memcpy(img + secs[i].addr, secs[i].bytes, secs[i].size);
    uint32_t body = loaded + 4u * nrel;
    uint32_t flen = SK_PAYLOAD_HDR_SIZE + body;
    if (flen > SK_PAYLOAD_MAX_FILE) {
        refuse("payload file of %u bytes exceeds %u", flen, SK_PAYLOAD_MAX_FILE);
        return 1;
    }
    file = calloc(1, flen);
    sk_payload_hdr_t h = {0};
    h.magic = SK_PAYLOAD_MAGIC;
    h.fmt_version = SK_PAYLOAD_FMT_VERSION;
    h.abi_version = SK_ABI_VERSION;
    h.hdr_size = SK_PAYLOAD_HDR_SIZE;
    h.entry = entry;
    h.text_size = cls_size[C_TEXT];
    h.rodata_size = cls_size[C_RODATA];
    h.data_size = cls_size[C_DATA];
    h.bss_size = cls_size[C_BSS];
    h.reloc_count = nrel;
    h.body_size = body;
    sk_payload_hdr_write(&h, file);
    memcpy(file + SK_PAYLOAD_HDR_SIZE, img, loaded);
    for (uint32_t r = 0; r < nrel; r++)
        sk_wr32(file + SK_PAYLOAD_HDR_SIZE + loaded + 4u * r, relocs[r]);
    sk_payload_seal(file, flen, key, (uint32_t)keylen);
    int rc = sk_loader_verify(file, flen, key, (uint32_t)keylen, MEMMAP_PAYLOAD_SIZE, 1, NULL);
    if (rc) { /* our own output must pass the node's checks */
        refuse("internal: packed payload fails verification (%s)", sk_load_err_str(rc));
        return 1;
    }
    if (write_file(out, file, flen))
        return 1;
    printf("skpack: %s -> %s: %u bytes (text=%u rodata=%u data=%u bss=%u relocs=%u entry=0x%x)\n", in_path, out,
           flen, h.text_size, h.rodata_size, h.data_size, h.bss_size, nrel, entry);
    elf_end(e);
    close(fd);
    return 0;
}
