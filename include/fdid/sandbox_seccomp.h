/* SPDX-License-Identifier: MIT */
/*
 * fdid's sandbox rules (sandbox.h) into a libseccomp filter. In its own
 * library, libfdid-seccomp (pkg-config fdid-seccomp), built where
 * libseccomp is found: libfdid itself never needs libseccomp.
 */
#ifndef FDID_SANDBOX_SECCOMP_H
#define FDID_SANDBOX_SECCOMP_H

#include <seccomp.h>
#include <stdint.h>

#include <fdid/sandbox.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Adds a rule with `action` (SCMP_ACT_ALLOW, usually, to a filter whose
 * default refuses) for each of fdid_sandbox_rules(methods, ops): the
 * caller's own pid (getpid(), now) where a rule names it. Call it in the
 * process that loads the filter.
 *
 * Returns 0, or a negative errno: -ENOSYS for a rule whose call this
 * architecture lacks, others from seccomp_rule_add(). Rules added before
 * a failure stay in ctx.
 */
int fdid_sandbox_seccomp_add(scmp_filter_ctx ctx, unsigned methods, unsigned ops,
                             uint32_t action);

#ifdef __cplusplus
}
#endif

#endif /* FDID_SANDBOX_SECCOMP_H */
