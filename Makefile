# Set-up is two commands on a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/python -m pip
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export RAGAS_DO_NOT_TRACK := true
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install index lint run test bench eval eval-llm calibrate clean

install: $(STAMP)

# torch==2.13.0 first: it resolves to the local CPU wheel; anything else pulls gigabytes of CUDA.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt torch==2.13.0
	$(PIP) install -q -c constraints.txt -e '.[all,test]'
	touch $(STAMP)

# The test-only extra: a real llama.cpp server for the LLM integration tests (compiles for a few minutes).
# Built for AVX2, not for the building CPU: on a CPU with AMX (Sapphire Rapids) a native build
# multiplies in llama.cpp's AMX backend, which crashed the server on its first request.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
$(TEST_STAMP): $(STAMP)
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install -q -c constraints.txt -e '.[all,test,llm-server]'
	touch $(TEST_STAMP)

index: install
	$(VENV)/bin/mlsd index

run: index
	$(VENV)/bin/mlsd grade examples/video_recommendation_strong.md --question video_recommendation
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port 8501

lint: install
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .

test: index $(TEST_STAMP) lint
	$(PY) -m pytest

bench: index
	$(PY) -m bench.bench
	$(PY) -m bench.load
	$(PY) -m bench.cohort

eval: index
	$(PY) -m evals.run_eval
	$(PY) -m evals.blind --set dev
	$(PY) -m evals.blind --set dev2
	$(PY) -m evals.blind --set dev3
	$(PY) -m evals.blind --set dev4
	$(PY) -m evals.blind
	$(PY) -m evals.kinds
	$(PY) -m evals.siblings

# LLM-mode evals: needs an LLM configured by MLSD_LLM* variables or ARGS="--llm ... --model ... --base-url ...".
eval-llm: index
	$(PY) -m evals.llm_eval $(ARGS)

calibrate: index
	$(PY) -m evals.calibrate --write

clean:
	rm -rf .index .index.lock .models .pytest_cache .cache
