/* Facts text (policy_facts.h): what bulkheadd's admin.bulkhead.SystemInfo
 * answers and what --facts files hold.  Every key, and each reject class:
 * a bad line refuses the whole text and names its line. */
#include <string.h>

#include "qrexec/policy/policy_facts.h"
#include "tests/lib/check.h"

static int parse(const char *text, char *err, size_t errlen)
{
	struct policy_facts_table *t = policy_facts_table_new();
	int rc = policy_facts_table_parse(t, text, "x", err, errlen);

	policy_facts_table_free(t);
	return rc;
}

static void rejects(const char *line, const char *why)
{
	char text[512], err[256] = "";

	snprintf(text, sizeof(text), "dom0 class=AdminVM qid=0\n%s\n", line);
	CHECK(parse(text, err, sizeof(err)) == -1);
	if (strncmp(err, "x:2: ", 5) != 0 || strstr(err, why) == NULL) {
		fprintf(stderr, "'%s': got '%s', want x:2: ...%s\n", line, err, why);
		CHECK(0);
	}
}

int main(void)
{
	struct policy_facts_table *t = policy_facts_table_new();
	const struct policy_qube *q;
	char err[256] = "";

	CHECK(policy_facts_table_parse(t,
		"dom0 class=AdminVM running=yes qid=0 label=black\n"
		"# a comment\n"
		"\n"
		"work class=AppVM running=yes qid=12 domid=40 label=blue default_user=user "
		"default_dispvm=dvm template_for_dispvms=no tags=a,b-c\n"
		"dvm class=AppVM running=no qid=32751 template_for_dispvms=yes\n"
		"disp7 class=DispVM running=yes qid=7 template=dvm default_user=root\n",
		"x", err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	q = policy_facts_table_find(t, "work");
	CHECK(q != NULL && q->qid == 12 && q->domid == 40 && q->running && !q->template_for_dispvms && q->ntags == 2);
	CHECK(q != NULL && strcmp(q->label, "blue") == 0 && strcmp(q->default_user, "user") == 0 &&
	      strcmp(q->default_dispvm, "dvm") == 0);
	q = policy_facts_table_find(t, "dvm");
	CHECK(q != NULL && q->qid == 32751 && q->domid == 0 && q->template_for_dispvms && !q->running && q->label == NULL);
	q = policy_facts_table_find(t, "disp7");
	CHECK(q != NULL && q->cls == PCLASS_DISPVM && strcmp(q->template, "dvm") == 0);
	CHECK(policy_facts_table_find(t, "nosuch") == NULL);
	policy_facts_table_free(t);

	rejects("a class=AppVM qid=01", "qid");
	rejects("a class=AppVM qid=32752", "qid");
	rejects("a class=AppVM qid=-1", "qid");
	rejects("a class=AppVM qid=", "qid");
	rejects("a class=AppVM qid=1x", "qid");
	rejects("a class=AppVM qid=999999", "qid");
	rejects("a class=AppVM domid=32752", "domid");
	rejects("a class=AppVM domid=07", "domid");
	rejects("a class=AppVM domid=x", "domid");
	rejects("a class=AppVM label=bl;ue", "invalid");
	rejects("a class=AppVM default_user=Root", "invalid");
	rejects("a class=AppVM default_user=a/b", "invalid");
	rejects("a class=AppVM running=maybe", "running");
	rejects("a class=AppVM colour=red", "unknown key");
	rejects("a class=NoSuchClass", "unknown class");
	rejects("a qid=3", "class= missing");
	rejects("a-dm class=AppVM", "invalid");
	rejects("dom0 class=AppVM", "duplicate");
	rejects("a class=AppVM running=yes qid=1 label=red default_user=u default_dispvm=b "
		"template=c template_for_dispvms=no tags=t x=1 y=2 z=3", "too many fields");
	return check_exit();
}
