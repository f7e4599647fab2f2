# Bulkhead — top-level, non-recursive GNU make.
#
# Each area contributes a `module.mk` fragment that appends to PROGRAMS,
# LIBS, TESTS and friends using the helpers in mk/rules.mk; this file only
# sets flags and the top-level targets, so nobody edits it to add a program.

BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
# make test builds with this many jobs
NPROC   := $(shell nproc)

# Hardening flags from CONVENTIONS.md, set once.  SAN=1 is the sanitizer
# build (ASan+UBSan) used by `make test` into build/san.
WARN     := -Wall -Wextra -Werror -Wformat=2 -Wvla -Wshadow -Wstrict-prototypes
CFLAGS   ?= -O2
CFLAGS   += -std=c17 $(WARN) -fstack-protector-strong -fPIE -g
CPPFLAGS += -D_GNU_SOURCE -I. -Ilib
LDFLAGS  += -pie -Wl,-z,relro,-z,now
ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
CPPFLAGS += -DBH_SANITIZER_BUILD
LDFLAGS  += -fsanitize=address,undefined
else
CPPFLAGS += -D_FORTIFY_SOURCE=2
endif

PROGRAMS :=
TESTPROGS :=
INSTALL_BIN :=
INSTALL_QUBE :=   # qube-side programs, bind-mounted read-only into every qube

.PHONY: all deps test test-trees demo run bench install clean check-unit san image test-xen demo-xen
all:

include mk/rules.mk
include $(sort $(wildcard lib/module.mk core/module.mk core/*/module.mk capd/module.mk capd/*/module.mk tests/*/module.mk \
	qrexec/module.mk qrexec/*/module.mk tests/module.mk bench/module.mk audit/module.mk proofs/module.mk \
	measured-boot/module.mk))

all: $(PROGRAMS) $(TESTPROGS)

# Debian packages the project needs; idempotent and quiet when present.
deps:
	@./mk/deps.sh

# The README's test command.  Builds the normal tree, the sanitizer tree
# and (so it cannot rot) a clang tree, then runs every test against the
# first two.  tests/run starts the tests that need no build (the proofs,
# minutes of CPU) before it runs the builds, so that they overlap.
test: deps
	@./tests/run --build '$(MAKE) --no-print-directory test-trees'

test-trees:
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@$(MAKE) --no-print-directory -j$(NPROC) all SAN=1 BUILD=build/san
	@$(MAKE) --no-print-directory -j$(NPROC) all CC=clang BUILD=build/clang

demo: deps all
	@./mk/demo.sh

# Xen in QEMU (issue #6, SPEC/xen-system.md): the dom0 and qube images
# under $(BUILD)/image; tests/xen/boot.sh boots them.
image: deps all
	@./image/build.sh $(BUILD)
# One boot running tests/xen/system.sh in dom0; the demo's story on Xen.
test-xen: image
	@BULKHEAD_BUILD=$(abspath $(BUILD)) ./tests/xen/boot.sh -t 840 tests/xen/system.sh $(BUILD)/tests/fake-agent
demo-xen: image
	@BULKHEAD_BUILD=$(abspath $(BUILD)) ./tests/xen/boot.sh -t 840 -s tests/xen/demo.sh

run: all
	@mkdir -p $(or $(BULKHEAD_ROOT),$(CURDIR)/var)
	BULKHEAD_ROOT=$(or $(BULKHEAD_ROOT),$(CURDIR)/var) $(BUILD)/bin/bulkheadd

bench: all
	@./bench/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/bulkhead/qube/bin \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(INSTALL_BIN) $(DESTDIR)$(PREFIX)/bin/
	$(if $(INSTALL_QUBE),install -m 0755 $(INSTALL_QUBE) $(DESTDIR)$(PREFIX)/libexec/bulkhead/qube/bin/)
	install -m 0644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(wildcard man/*.8) $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	rm -rf build
