/* The NV freshness counter (aem_counter.h). */
#include "measured-boot/aem_counter.h"

#include <stdio.h>
#include <string.h>

/* Counter attributes: written only with owner auth (an attacker without
 * it cannot even bump it), read by anyone with the index's empty auth
 * (PolicyNV authorises with the index itself), never DA-counted (its
 * auth is empty: nothing to guess, and PIN tries must not be spent). */
#define AEM_COUNTER_ATTRS (((TPMA_NV)TPM2_NT_COUNTER << TPMA_NV_TPM2_NT_SHIFT) | \
	TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD | TPMA_NV_NO_DA)

void aem_counter_close(struct bh_tpm *t, ESYS_TR *tr)
{
	if (*tr != ESYS_TR_NONE && t->esys != NULL)
		(void)Esys_TR_Close(t->esys, tr);
	*tr = ESYS_TR_NONE;
}

static int define_counter(struct bh_tpm *t, uint32_t index)
{
	TPM2B_AUTH auth = { .size = 0 };
	TPM2B_NV_PUBLIC pub;
	ESYS_TR tr = ESYS_TR_NONE;
	TSS2_RC rc;

	memset(&pub, 0, sizeof(pub));
	pub.nvPublic.nvIndex = index;
	pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
	pub.nvPublic.attributes = AEM_COUNTER_ATTRS;
	pub.nvPublic.dataSize = 8;
	rc = Esys_NV_DefineSpace(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				 &auth, &pub, &tr);
	if (rc != TSS2_RC_SUCCESS)
		return bh_tpm_fail(t, "TPM2_NV_DefineSpace (freshness counter)", rc);
	aem_counter_close(t, &tr);
	return 0;
}

/* *tr for index with ESYS's view of its public area (name, attributes). */
static int from_tpm(struct bh_tpm *t, uint32_t index, ESYS_TR *tr)
{
	TSS2_RC rc = Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, tr);

	if (rc != TSS2_RC_SUCCESS) {
		*tr = ESYS_TR_NONE;
		snprintf(t->err, sizeof(t->err), "no freshness counter at NV index 0x%08x", index);
		return BH_TPM_ENV;
	}
	return 0;
}

/* NV_Increment with owner auth on an open counter. */
static int increment(struct bh_tpm *t, ESYS_TR tr)
{
	TSS2_RC rc = Esys_NV_Increment(t->esys, ESYS_TR_RH_OWNER, tr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				       ESYS_TR_NONE);

	if (rc != TSS2_RC_SUCCESS)
		return bh_tpm_fail(t, "TPM2_NV_Increment (freshness counter)", rc);
	return 0;
}

/* Whether the open counter has been incremented at least once. */
static int written(struct bh_tpm *t, ESYS_TR tr, int *yes)
{
	TPM2B_NV_PUBLIC *pub = NULL;
	TPM2B_NAME *nm = NULL;
	TSS2_RC rc = Esys_NV_ReadPublic(t->esys, tr, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, &nm);

	if (rc != TSS2_RC_SUCCESS)
		return bh_tpm_fail(t, "TPM2_NV_ReadPublic (freshness counter)", rc);
	*yes = (pub->nvPublic.attributes & TPMA_NV_WRITTEN) != 0;
	Esys_Free(pub);
	Esys_Free(nm);
	return 0;
}

int aem_counter_prepare(struct bh_tpm *t, uint32_t index)
{
	ESYS_TR tr = ESYS_TR_NONE;
	int r, yes = 0;

	if (from_tpm(t, index, &tr) < 0) {
		r = define_counter(t, index);
		if (r == 0)
			r = from_tpm(t, index, &tr);
	} else {
		r = 0;
	}
	/* A counter gets its first value (the highest any counter of this
	 * TPM ever had) from its first increment; one defined by a seal
	 * that failed right after is still unwritten. */
	if (r == 0)
		r = written(t, tr, &yes);
	if (r == 0 && !yes)
		r = increment(t, tr);
	aem_counter_close(t, &tr);
	return r;
}

int aem_counter_increment(struct bh_tpm *t, uint32_t index, uint64_t expect)
{
	ESYS_TR tr = ESYS_TR_NONE;
	TPM2B_NAME name;
	uint64_t now = 0;
	int r = aem_counter_open(t, index, &tr, &now, &name);

	if (r == 0 && now != expect) {
		snprintf(t->err, sizeof(t->err), "freshness counter moved during the seal (%llu, was %llu)",
			 (unsigned long long)now, (unsigned long long)expect);
		r = BH_TPM_ENV;
	}
	if (r == 0)
		r = increment(t, tr);
	aem_counter_close(t, &tr);
	return r;
}

int aem_counter_open(struct bh_tpm *t, uint32_t index, ESYS_TR *tr, uint64_t *value, TPM2B_NAME *name)
{
	TPM2B_NV_PUBLIC *pub = NULL;
	TPM2B_NAME *nm = NULL;
	TPM2B_MAX_NV_BUFFER *data = NULL;
	TSS2_RC rc;
	int r;

	*tr = ESYS_TR_NONE;
	r = from_tpm(t, index, tr);
	if (r < 0)
		return r;
	rc = Esys_NV_ReadPublic(t->esys, *tr, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, &nm);
	if (rc != TSS2_RC_SUCCESS) {
		r = bh_tpm_fail(t, "TPM2_NV_ReadPublic (freshness counter)", rc);
		goto out;
	}
	/* Someone else's index at our handle must not pass for our counter:
	 * the attributes are the policy's too (they are in the name). */
	if ((pub->nvPublic.attributes & ~TPMA_NV_WRITTEN) != AEM_COUNTER_ATTRS ||
	    !(pub->nvPublic.attributes & TPMA_NV_WRITTEN) || pub->nvPublic.dataSize != 8 ||
	    nm->size > sizeof(name->name)) {
		snprintf(t->err, sizeof(t->err), "NV index 0x%08x is not a bulkhead-aem freshness counter", index);
		r = BH_TPM_ENV;
		goto out;
	}
	*name = *nm;
	rc = Esys_NV_Read(t->esys, *tr, *tr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, 8, 0, &data);
	if (rc != TSS2_RC_SUCCESS) {
		r = bh_tpm_fail(t, "TPM2_NV_Read (freshness counter)", rc);
		goto out;
	}
	if (data->size != 8) {
		snprintf(t->err, sizeof(t->err), "freshness counter read returned %u bytes", data->size);
		r = BH_TPM_ENV;
		goto out;
	}
	*value = 0;
	for (unsigned i = 0; i < 8; i++)
		*value = *value << 8 | data->buffer[i];
	r = 0;
out:
	Esys_Free(pub);
	Esys_Free(nm);
	Esys_Free(data);
	if (r < 0)
		aem_counter_close(t, tr);
	return r;
}
