/* SPDX-License-Identifier: MIT */
/* drm-usage-stats keys from fdinfo (drm_usage.h). */
#include <stddef.h>
#include <string.h>

#include "drm_usage.h"
#include "util/number.h"

/* Leading blanks off. */
static void
skip_blanks(const char **s, size_t *n)
{
   while (*n && (**s == ' ' || **s == '\t')) {
      (*s)++;
      (*n)--;
   }
}

/* Decimal digits at *s into *v (no sign, no overflow), moving past them;
 * false otherwise. */
static bool
parse_uint(const char **s, size_t *n, uint64_t *v)
{
   size_t k = fdid_parse_digits(*s, *n, 10, UINT64_MAX, v);
   *s += k;
   *n -= k;
   return k > 0;
}

/* The rest is exactly `unit` (after blanks), or nothing when unit may be
 * absent. */
static bool
rest_is(const char *s, size_t n, const char *unit)
{
   skip_blanks(&s, &n);
   while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
      n--;
   return n == strlen(unit) && memcmp(s, unit, n) == 0;
}

/* "<uint>", "<uint> KiB", "<uint> MiB", "<uint> GiB": bytes. */
static bool
parse_bytes(const char *s, size_t n, uint64_t *out)
{
   uint64_t v;
   skip_blanks(&s, &n);
   if (!parse_uint(&s, &n, &v))
      return false;
   static const struct {
      const char *unit;
      unsigned shift;
   } units[] = { { "", 0 }, { "B", 0 }, { "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 } };
   for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
      if (rest_is(s, n, units[i].unit)) {
         if (v > (UINT64_MAX >> units[i].shift))
            return false;
         *out = v << units[i].shift;
         return true;
      }
   }
   return false;
}

/* "<uint>" with exactly `unit` after it ("" for none). */
static bool
parse_with_unit(const char *s, size_t n, const char *unit, uint64_t *out)
{
   skip_blanks(&s, &n);
   return parse_uint(&s, &n, out) && rest_is(s, n, unit);
}

static bool
copy_name(char *dst, const char *s, size_t n)
{
   if (n == 0 || n >= DRM_USAGE_NAME || memchr(s, 0, n))
      return false;
   memcpy(dst, s, n);
   dst[n] = 0;
   return true;
}

_Static_assert(offsetof(struct drm_usage_region, name) == 0 &&
                  offsetof(struct drm_usage_engine, name) == 0,
               "index_of() reads an element's name at its start");

/* The index of the element named (name, n) among `count` elements of
 * `stride` bytes whose first member is their name; -1 when none. */
static int
index_of(const void *array, size_t stride, unsigned count, const char *name, size_t n)
{
   for (unsigned i = 0; i < count; i++) {
      const char *el = (const char *)array + i * stride;
      if (strlen(el) == n && memcmp(el, name, n) == 0)
         return (int)i;
   }
   return -1;
}

/* The element named (name, n), added if new and there is room (else
 * counted as dropped): its index, or -1. */
static int
find_or_add(struct drm_usage *u, void *array, size_t stride, unsigned *count, const char *name,
            size_t n)
{
   int i = index_of(array, stride, *count, name, n);
   if (i >= 0)
      return i;
   char *el = (char *)array + *count * stride;
   if (*count == DRM_USAGE_MAX || !copy_name(el, name, n)) {
      u->dropped += *count == DRM_USAGE_MAX;
      return -1;
   }
   return (int)(*count)++;
}

static struct drm_usage_region *
region_of(struct drm_usage *u, const char *name, size_t n)
{
   int i = find_or_add(u, u->regions, sizeof(u->regions[0]), &u->n_regions, name, n);
   return i < 0 ? NULL : &u->regions[i];
}

static struct drm_usage_engine *
engine_of(struct drm_usage *u, const char *name, size_t n)
{
   int i = find_or_add(u, u->engines, sizeof(u->engines[0]), &u->n_engines, name, n);
   struct drm_usage_engine *e = i < 0 ? NULL : &u->engines[i];
   if (e && !e->present)
      e->capacity = 1;
   return e;
}

static const struct {
   const char *prefix;
   unsigned bit;
} region_keys[] = {
   { "drm-total-", REGION_TOTAL }, { "drm-shared-", REGION_SHARED },
   { "drm-resident-", REGION_RESIDENT }, { "drm-purgeable-", REGION_PURGEABLE },
   { "drm-active-", REGION_ACTIVE }, { "drm-memory-", REGION_MEMORY },
};

static uint64_t *
region_field(struct drm_usage_region *r, unsigned bit)
{
   switch (bit) {
   case REGION_TOTAL: return &r->total;
   case REGION_SHARED: return &r->shared;
   case REGION_RESIDENT: return &r->resident;
   case REGION_PURGEABLE: return &r->purgeable;
   case REGION_ACTIVE: return &r->active;
   default: return &r->memory;
   }
}

static bool
has_prefix(const char *key, size_t klen, const char *prefix, size_t *plen)
{
   *plen = strlen(prefix);
   return klen > *plen && memcmp(key, prefix, *plen) == 0;
}

/* One "key: value" line; false when a drm- value did not parse. */
static bool
take(struct drm_usage *u, const char *key, size_t klen, const char *v, size_t vlen)
{
   size_t p;
   uint64_t x;
#define IS(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)
   if (IS("drm-driver")) {
      skip_blanks(&v, &vlen);
      return u->driver[0] || copy_name(u->driver, v, vlen);
   }
   if (IS("drm-pdev")) {
      skip_blanks(&v, &vlen);
      return u->pdev[0] || copy_name(u->pdev, v, vlen);
   }
   if (IS("drm-client-id")) {
      if (u->has_client_id)
         return true;
      if (!parse_with_unit(v, vlen, "", &x))
         return false;
      u->client_id = x;
      u->has_client_id = true;
      return true;
   }
#undef IS
   /* Engines: the longer prefixes first ("drm-engine-capacity-" is not an
    * engine named "capacity-..."; "drm-total-cycles-" is no region). */
   if (has_prefix(key, klen, "drm-engine-capacity-", &p)) {
      struct drm_usage_engine *e = engine_of(u, key + p, klen - p);
      if (!e || (e->present & ENGINE_CAPACITY))
         return true;
      if (!parse_with_unit(v, vlen, "", &x) || x == 0 || x > 1024)
         return false;
      e->capacity = (unsigned)x;
      e->present |= ENGINE_CAPACITY;
      return true;
   }
   if (has_prefix(key, klen, "drm-total-cycles-", &p) || has_prefix(key, klen, "drm-cycles-", &p) ||
       has_prefix(key, klen, "drm-engine-", &p)) {
      unsigned bit = key[4] == 't' ? ENGINE_TOTAL_CYCLES : key[4] == 'c' ? ENGINE_CYCLES : ENGINE_NS;
      struct drm_usage_engine *e = engine_of(u, key + p, klen - p);
      if (!e || (e->present & bit))
         return true;
      if (!parse_with_unit(v, vlen, bit == ENGINE_NS ? "ns" : "", &x))
         return false;
      *(bit == ENGINE_NS ? &e->ns : bit == ENGINE_CYCLES ? &e->cycles : &e->total_cycles) = x;
      e->present |= bit;
      return true;
   }
   for (size_t i = 0; i < sizeof(region_keys) / sizeof(region_keys[0]); i++) {
      if (!has_prefix(key, klen, region_keys[i].prefix, &p))
         continue;
      struct drm_usage_region *r = region_of(u, key + p, klen - p);
      if (!r || (r->present & region_keys[i].bit))
         return true;
      if (!parse_bytes(v, vlen, &x))
         return false;
      *region_field(r, region_keys[i].bit) = x;
      r->present |= region_keys[i].bit;
      return true;
   }
   return true; /* another key (driver's own, drm-maxfreq-...): not ours */
}

/* The generic "flags:" line's octal value, the description's f_flags. */
static bool
parse_octal(const char *s, size_t n, unsigned *out)
{
   skip_blanks(&s, &n);
   uint64_t v;
   size_t k = fdid_parse_digits(s, n, 8, UINT32_MAX, &v);
   if (k == 0 || !rest_is(s + k, n - k, ""))
      return false;
   *out = (unsigned)v;
   return true;
}

void
drm_usage_parse(const char *text, size_t len, struct drm_usage *out)
{
   memset(out, 0, sizeof(*out));
   const char *end = text + len;
   while (text < end) {
      const char *nl = memchr(text, '\n', (size_t)(end - text));
      const char *line_end = nl ? nl : end;
      const char *colon = memchr(text, ':', (size_t)(line_end - text));
      size_t klen = colon ? (size_t)(colon - text) : 0;
      /* A dma-buf's fdinfo (its exporter's line, printed before the name
       * its holder chose): not a DRM client's, and nothing after it is
       * read, least of all the name's "\ndrm-total-...". */
      if ((klen == 8 && memcmp(text, "exp_name", 8) == 0) ||
          (klen == 4 && memcmp(text, "name", 4) == 0)) {
         out->not_a_client = true;
         break;
      }
      if (klen == 5 && memcmp(text, "flags", 5) == 0 && !out->has_flags) {
         out->has_flags = parse_octal(colon + 1, (size_t)(line_end - colon - 1), &out->flags);
      } else if (colon && colon - text > 4 && memcmp(text, "drm-", 4) == 0) {
         if (!take(out, text, (size_t)(colon - text), colon + 1, (size_t)(line_end - colon - 1)))
            out->malformed++;
      }
      text = nl ? nl + 1 : end;
   }
}

const struct drm_usage_region *
drm_usage_region(const struct drm_usage *u, const char *name)
{
   int i = index_of(u->regions, sizeof(u->regions[0]), u->n_regions, name, strlen(name));
   return i < 0 ? NULL : &u->regions[i];
}

const struct drm_usage_engine *
drm_usage_engine(const struct drm_usage *u, const char *name)
{
   int i = index_of(u->engines, sizeof(u->engines[0]), u->n_engines, name, strlen(name));
   return i < 0 ? NULL : &u->engines[i];
}

double
drm_usage_engine_busy(const struct drm_usage_engine *before, const struct drm_usage_engine *after,
                      uint64_t wall_ns)
{
   const unsigned cycles = ENGINE_CYCLES | ENGINE_TOTAL_CYCLES;
   if ((before->present & cycles) == cycles && (after->present & cycles) == cycles) {
      /* The kernel's ratio: busy cycles over the cycles that passed, which
       * needs no wall clock (and holds across GPU clock changes). */
      if (after->cycles < before->cycles || after->total_cycles <= before->total_cycles)
         return -1;
      return (double)(after->cycles - before->cycles) /
             (double)(after->total_cycles - before->total_cycles);
   }
   if ((before->present & ENGINE_NS) && (after->present & ENGINE_NS) && wall_ns) {
      /* A counter that went back is a new client on an old key. */
      if (after->ns < before->ns)
         return -1;
      unsigned capacity = after->capacity ? after->capacity : 1;
      return (double)(after->ns - before->ns) / ((double)wall_ns * capacity);
   }
   return -1;
}
