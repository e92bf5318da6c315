# lcfg-xen: the LCFG xen component.
#
#   make            build build/xen
#   make check      install missing build/test packages, run every test,
#                   also under ASan/UBSan, plus a valgrind leak check, and
#                   the real-Xen test when the machine can run QEMU
#   make check-xen  only the real-Xen test: Xen 4.17 and a Debian dom0 in
#                   QEMU running the component (tests/xen/README.md), and
#                   its self-test (a broken template must fail at configure)
#   make demo       run the component on the seed profile in a sandbox root
#   make bench      benchmarks (never part of check)
#   make install DESTDIR=...   install with the LCFG layout
#   make dist       the source tarball build/lcfg-xen-VERSION.tar.gz (for
#                   rpmbuild with specfiles/lcfg-xen.spec)
#
# Missing system packages are installed by scripts/install-deps (apt-get or
# dnf; needs root, and says so when it is not).
#
# Two stages. Stage 1 (this file without LCFGXEN_STAGE) only installs what is
# missing, then runs make again with LCFGXEN_STAGE=2, which asks pkg-config for the
# compiler flags: flags computed before the packages exist would be empty
# (the first run on a fresh machine failed that way). "make" and "make
# install" need only the build packages (install-deps --build), so that
# rpmbuild and dpkg-buildpackage, which have their own build dependencies,
# never need the test packages or root.

VERSION := 0.1.0
# B is the build directory: build/ normally, build-san/ for the sanitizer build.
B ?= build
.PHONY: clean dist

ifeq ($(LCFGXEN_STAGE),)
DEPS_ALL   := demo check check-xen bench fuzz fuzz-long
GOALS      := $(or $(MAKECMDGOALS),all)
STAGE2     := $(filter-out clean dist deps,$(GOALS))

.PHONY: $(GOALS) deps
# One recipe per goal, so that under -j nothing compiles before its
# packages are installed.
$(filter $(DEPS_ALL),$(STAGE2)):
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps
	@$(MAKE) --no-print-directory LCFGXEN_STAGE=2 $@
$(filter-out $(DEPS_ALL),$(STAGE2)):
	@scripts/install-deps --build --check >/dev/null 2>&1 || scripts/install-deps --build
	@$(MAKE) --no-print-directory LCFGXEN_STAGE=2 $@
deps:
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps
else
PREFIX      ?= /usr
LCFGCOMP    ?= $(PREFIX)/lib/lcfg/components
LCFGDEFS    ?= $(PREFIX)/lib/lcfg/defaults
LCFGCONFDIR ?= $(PREFIX)/lib/lcfg/conf/xen
LCFGPOD     ?= $(PREFIX)/lib/lcfg/doc/pod
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= $(PREFIX)/lib/systemd/system
LOGROTATED  ?= /etc/logrotate.d
# The LCFG server's profile headers (its include/ directory, see LCFG.md).
LCFGSERVERINC ?= /var/lcfg/conf/server/include
HEADERS     := mdp/options/xen-host.h phys/hw/xen_vm.h
# Where the LCFG client keeps this node's profile DB (as rdxprof writes it)
# and its compiled XML profile; %s is the node name. Read, in this order,
# when neither --profile, --resources nor the environment supplies
# resources. Overridable here or with XEN_PROFILE_DB and XEN_PROFILE_PATH.
PROFILE_DB   ?= /var/lcfg/conf/profile/dbm/%s.DB2.db
PROFILE_PATH ?= /var/lcfg/conf/profile/xml/%s.xml

CC       ?= cc
PKGS     := libxml-2.0 xencontrol xenstore xentoollog
# Stage 2 only: each package is asked for on its own, so that one missing
# package is named instead of emptying every flag.
PKG_MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(p) && echo y),,$(p))))
ifneq ($(PKG_MISSING),)
$(error pkg-config finds no $(PKG_MISSING) (packages libxml2-dev and libxen-dev on Debian): run scripts/install-deps as root)
endif
# Berkeley DB (the client's profile DB) has no pkg-config file on Debian:
# its header is looked for with the compiler, and it is linked as -ldb.
ifneq ($(shell printf '\043include <db.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo y),y)
$(error the compiler finds no <db.h> (Berkeley DB: package libdb5.3-dev on Debian, libdb-devel on EL): run scripts/install-deps as root)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -ldb
WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude -I$(B)/gen $(PKG_CFLAGS) \
             -DLCFGXEN_VERSION='"$(VERSION)"' \
             -DLCFGXEN_PROFILE_DB='"$(PROFILE_DB)"' \
             -DLCFGXEN_PROFILE_PATH='"$(PROFILE_PATH)"' \
             -DLCFGXEN_TEMPLATE_DIR='"$(LCFGCONFDIR)"'
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=all

SRCS     := $(wildcard src/*.c)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
GEN_SRCS := $(B)/gen/schema-gen.c
OBJS     := $(patsubst src/%.c,$(B)/obj/%.o,$(LIB_SRCS)) $(B)/obj/schema-gen.o
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))

.PHONY: all check check-build check-one check-xen demo install bench
all: $(B)/xen

$(B)/gen/schema-gen.c $(B)/gen/schema-gen.h &: defaults/xen-1.def scripts/defgen.awk
	@mkdir -p $(B)/gen
	awk -v out_c=$(B)/gen/schema-gen.c -v out_h=$(B)/gen/schema-gen.h \
	    -f scripts/defgen.awk defaults/xen-1.def

# Each object's headers come from the compiler (-MMD -MP); the generated
# header is named because it must exist before the first compile.
$(B)/obj/%.o: src/%.c $(B)/gen/schema-gen.h
	@mkdir -p $(B)/obj
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/obj/schema-gen.o: $(B)/gen/schema-gen.c $(B)/gen/schema-gen.h
	@mkdir -p $(B)/obj
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(wildcard $(B)/obj/*.d $(B)/tests/*.d)

$(B)/libxen.a: $(OBJS)
	rm -f $@
	ar rcs $@ $^

$(B)/xen: $(B)/obj/main.o $(B)/libxen.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libxen.a $(B)/gen/schema-gen.h
	@mkdir -p $(B)/tests
	$(CC) $(ALL_CFLAGS) -MMD -MP -MF $@.d -Isrc -Itests/unit $(LDFLAGS) -o $@ $< $(B)/libxen.a $(PKG_LIBS) -lcmocka

# The Xen backend's test links a fake of libxenctrl/libxenstore instead of
# the real libraries (error paths: xenstored missing, domains vanishing);
# a second build of it checks the real libraries' failure off dom0.
HVX_SRCS := src/hv_xen.c src/hv_xen_cpu.c src/hv_xen_decode.c src/hv_xen_devices.c src/devspec.c src/exec.c \
            src/util.c src/fsutil.c src/check.c src/hv_caps.c src/cpulist.c
HVX_DEPS := tests/unit/test-hv-xen.c $(HVX_SRCS) src/hv_xen_decode.h src/hv_impl.h src/hv_xen_impl.h \
            tests/unit/testutil.h $(B)/gen/schema-gen.h $(wildcard include/*.h)
$(B)/tests/test-hv-xen: $(HVX_DEPS) tests/unit/fakexen.c
	@mkdir -p $(B)/tests
	$(CC) $(ALL_CFLAGS) -Isrc -Itests/unit $(LDFLAGS) -o $@ tests/unit/test-hv-xen.c \
	    tests/unit/fakexen.c $(HVX_SRCS) -lcmocka
$(B)/tests/test-hv-xen-real: $(HVX_DEPS)
	@mkdir -p $(B)/tests
	$(CC) $(ALL_CFLAGS) -DHVX_REAL_LIBS -Isrc -Itests/unit $(LDFLAGS) -o $@ \
	    tests/unit/test-hv-xen.c $(HVX_SRCS) -lcmocka $(PKG_LIBS)

# The real xl's parser, run off Xen (tests/tools/xl-parse), needs this shim.
$(B)/xl-parse-shim.so: tests/tools/xl-parse-shim.c
	$(CC) -std=gnu11 -Wall -Wextra -Werror -shared -fPIC -o $@ $<

# The profile DB fixtures of the tests (tests/tools/lcfgdb.c).
$(B)/lcfgdb: tests/tools/lcfgdb.c
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< -ldb

# The model-based tests (tests/model/model-check.c, hosts-check.c, what
# they share in mcutil.c) and their kill shim: in tests-model/, not
# tests/, which run-tests runs as cmocka binaries.
$(B)/tests-model/%-check: tests/model/%-check.c tests/model/mcutil.c tests/model/mcutil.h
	@mkdir -p $(B)/tests-model
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/model/mcutil.c
$(B)/tests-model/killshim.so: tests/model/killshim.c
	@mkdir -p $(B)/tests-model
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -shared -fPIC -o $@ $< -ldl

check-build: $(B)/xen $(UNIT_BINS) $(B)/tests/test-hv-xen-real $(B)/xl-parse-shim.so \
             $(B)/lcfgdb $(B)/tests-model/model-check $(B)/tests-model/hosts-check \
             $(B)/tests-model/killshim.so

# One variant of the suite: the plain build, or (B=build-san) the sanitizer build.
check-one: check-build
	tests/run-tests $(B)

check:
	@$(MAKE) --no-print-directory check-build B=build
	@$(MAKE) --no-print-directory check-build B=build-san CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)"
	@$(MAKE) --no-print-directory fuzz-bins B=build-fuzz CC=$(FUZZ_CC) CFLAGS="$(FUZZ_FLAGS)"
	@FUZZ_BUILD=build-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run-tests --all --xen build build-san

# The real-Xen test alone (about 8 minutes with its self-test; downloads are cached).
check-xen:
	@$(MAKE) --no-print-directory build/xen B=build
	@tests/xen/run build/xen && tests/xen/run --self-test build/xen

demo: $(B)/xen
	scripts/demo $(B)/xen

# Fuzzing (libFuzzer, clang): make fuzz builds build-fuzz/fuzz-{xml,status,env,
# template}; tests/fuzz/run runs them (make check: FUZZ_SECONDS each, 30 by
# default; make fuzz-long: an hour each). See tests/fuzz/README.md.
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=all
FUZZ_TARGETS := xml status env template
FUZZ_SECONDS ?= 30

.PHONY: fuzz fuzz-bins fuzz-long
fuzz:
	@$(MAKE) --no-print-directory B=build-fuzz CC=$(FUZZ_CC) CFLAGS="$(FUZZ_FLAGS)" fuzz-bins

fuzz-bins: $(patsubst %,$(B)/fuzz-%,$(FUZZ_TARGETS))

$(B)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzzlib.c tests/fuzz/fuzzlib.h $(B)/libxen.a
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -DFUZZ_TEMPLATES='"$(CURDIR)/templates"' \
	    -fsanitize=fuzzer,address,undefined -o $@ tests/fuzz/fuzz-$*.c tests/fuzz/fuzzlib.c \
	    $(B)/libxen.a $(PKG_LIBS) $$(pkg-config --libs xlutil)

fuzz-long: fuzz
	tests/fuzz/run build-fuzz 3600

# Benchmarks: never part of make check's pass/fail. Results: bench/README.md.
bench: $(B)/xen
	bench/disks.sh $(B)/xen
	bench/scale.sh $(B)/xen

install: $(B)/xen
	install -d $(DESTDIR)$(LCFGCOMP) $(DESTDIR)$(LCFGDEFS)/client \
	    $(DESTDIR)$(LCFGDEFS)/server $(DESTDIR)$(LCFGCONFDIR) \
	    $(DESTDIR)$(LCFGPOD) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(B)/xen $(DESTDIR)$(LCFGCOMP)/xen
	install -m 0644 defaults/xen-1.def $(DESTDIR)$(LCFGDEFS)/client/xen-1.def
	install -m 0644 defaults/xen-1.def $(DESTDIR)$(LCFGDEFS)/server/xen-1.def
	for t in templates/*.tmpl; do [ -e "$$t" ] || continue; \
	    install -m 0644 "$$t" $(DESTDIR)$(LCFGCONFDIR)/; done
	install -m 0644 man/xen.pod $(DESTDIR)$(LCFGPOD)/xen.pod
	pod2man --section=8 --name=LCFG-XEN --center="LCFG Components" \
	    --release="lcfg-xen $(VERSION)" man/xen.pod > $(DESTDIR)$(MANDIR)/man8/lcfg-xen.8
	install -d $(DESTDIR)$(UNITDIR)
	install -m 0644 systemd/lcfg-xen.service $(DESTDIR)$(UNITDIR)/lcfg-xen.service
	install -d $(DESTDIR)$(LOGROTATED)
	sed 's|/usr/lib/lcfg/components/|$(LCFGCOMP)/|' logrotate/lcfg-xen > $(DESTDIR)$(LOGROTATED)/lcfg-xen
	chmod 0644 $(DESTDIR)$(LOGROTATED)/lcfg-xen
	for h in $(HEADERS); do install -d $(DESTDIR)$(LCFGSERVERINC)/$$(dirname $$h); \
	    install -m 0644 defaults/$$h $(DESTDIR)$(LCFGSERVERINC)/$$h || exit 1; done

endif

# The source tarball: the files git tracks (plus new ones not ignored), or,
# outside a git checkout (e.g. unpacked from a tarball), every file but the
# build directories.
DIST := lcfg-xen-$(VERSION)
dist:
	@mkdir -p $(B)
	rm -rf $(B)/$(DIST) $(B)/$(DIST).tar.gz
	mkdir -p $(B)/$(DIST)
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	    git ls-files --cached --others --exclude-standard; \
	else find . -path ./build -prune -o -path ./build-san -prune -o -path ./build-fuzz -prune -o -type f -print | sed 's|^\./||'; \
	fi | LC_ALL=C sort | while read -r f; do [ -e "$$f" ] && printf '%s\n' "$$f"; done | \
	    tar -cf - -T - | tar -xf - -C $(B)/$(DIST)
	tar -C $(B) --owner=0 --group=0 --sort=name -czf $(B)/$(DIST).tar.gz $(DIST)
	rm -rf $(B)/$(DIST)
	@echo "dist: $(B)/$(DIST).tar.gz"

clean:
	rm -rf build build-san build-fuzz
