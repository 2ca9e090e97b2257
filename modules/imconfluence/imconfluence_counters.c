/* imconfluence_counters.c: an input's impstats counters, registered and
 * kept up to date from imconfluence_counters.def, so that a counter is
 * added by adding a row there (and, for a source's count, a member of
 * cfl_src_stats_t).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "config.h"
#include <stdint.h>
#include <string.h>

#include "rsyslog.h"
#include "conf.h"
#include "errmsg.h"
#include "glbl.h"
#include "prop.h"
#include "ruleset.h"
#include "datetime.h"
#include "statsobj.h"
#include "unicode-helper.h"

#include "imconfluence_conf.h"
#include "imconfluence_rt.h"

static const struct {
	const char *name;
	int gauge;
} table[ICF_NCTR] = {
#define ICF_COUNTER(id, name, kind, member, meaning) [ICF_C_##id] = { name, ICF_KIND_GAUGE_##kind },
#define ICF_KIND_GAUGE_GLUE 0
#define ICF_KIND_GAUGE_CORE 0
#define ICF_KIND_GAUGE_GAUGE 1
#include "imconfluence_counters.def"
#undef ICF_COUNTER
};

rsRetVal icf_counters_new(icf_rt_t *rt, const char *name)
{
	size_t i;
	DEFiRet;

	CHKiRet(statsobj.Construct(&rt->stats));
	CHKiRet(statsobj.SetName(rt->stats, (uchar *)name));
	CHKiRet(statsobj.SetOrigin(rt->stats, (uchar *)"imconfluence"));
	for (i = 0; i < ICF_NCTR; i++) {
		STATSCOUNTER_INIT(rt->ctr[i].v, rt->ctr[i].mut);
		/* a gauge says how things are now: a reset would lie until the next set */
		CHKiRet(statsobj.AddCounter(rt->stats, (const uchar *)table[i].name, ctrType_IntCtr,
		                            table[i].gauge ? CTR_FLAG_NONE : CTR_FLAG_RESETTABLE, &rt->ctr[i].v));
	}
	CHKiRet(statsobj.ConstructFinalize(rt->stats));
finalize_it:
	RETiRet;
}

void icf_counters_sync(icf_rt_t *rt)
{
	const cfl_src_stats_t *s = cfl_source_stats(rt->src);

#define ICF_SYNC_GLUE(id, member)
#define ICF_SYNC_GAUGE(id, member)
#define ICF_SYNC_CORE(id, member) \
	STATSCOUNTER_ADD(rt->ctr[ICF_C_##id].v, rt->ctr[ICF_C_##id].mut, s->member - rt->seen.member);
#define ICF_COUNTER(id, name, kind, member, meaning) ICF_SYNC_##kind(id, member)
#include "imconfluence_counters.def"
#undef ICF_COUNTER
	rt->submitted_total += s->emitted - rt->seen.emitted;
	rt->seen = *s;
}
