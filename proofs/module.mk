# `make proofs`: Frama-C WP (with RTE) on every *_parse.c, Eva on the
# drivers under proofs/eva/, and the negative tests under proofs/negative/
# (proofs/run; proofs/README.md says what is proved).  Results go to
# build/proofs/results.tsv.
.PHONY: proofs
proofs: deps
	@./proofs/run
