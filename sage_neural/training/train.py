"""
Training of the integration model.

    python -m sage_neural.training.train CONFIG.toml

The configuration names the dataset (made by ``python -m sage_neural.data
generate``), the model size and the schedule; see ``configs/`` for examples.
Training stops after ``steps`` steps or ``minutes`` minutes, whichever comes
first, and writes a checkpoint every ``checkpoint_every`` steps into
``checkpoint_dir``: a killed run started again with the same command resumes
from the last checkpoint. Every ``eval_every`` steps it decodes held-out
integrands greedily and reports exact matches and verified answers (a
candidate counts as verified when it differentiates back to the integrand).
"""

import argparse
import json
import logging
import math
import os
import pathlib
import random
import sys
import time
import tomllib

import numpy as np
import torch
from torch.nn import functional as F
from tqdm import tqdm

from ..data.storage import iter_pairs, manifest_language, read_manifest
from ..tokens import BOS_ID, EOS_ID, PAD_ID, language
from .model import ModelConfig, Seq2Seq

logger = logging.getLogger(__name__)

DEFAULTS = {
    "model": {},
    "data": {"max_source_len": 128, "max_target_len": 128},
    "train": {"batch_tokens": 6000, "lr": 5e-4, "warmup": 500, "steps": 100_000,
              "minutes": 60.0, "eval_every": 1000, "eval_examples": 100,
              "checkpoint_every": 200, "seed": 0, "threads": 0, "device": "auto",
              "weight_decay": 0.01, "clip": 1.0},
}


def load_config(path):
    with open(path, "rb") as f:
        config = tomllib.load(f)
    merged = {section: dict(values) for section, values in DEFAULTS.items()}
    for section, values in config.items():
        merged.setdefault(section, {}).update(values)
    for key in ("dataset", "checkpoint_dir"):
        if key not in merged["paths"]:
            raise ValueError(f"{path}: expected [paths] {key} = ...")
    return merged


def load_examples(dataset, split, max_source_len, max_target_len):
    """Encoded ``(source ids, target ids)``: target framed by start and end."""
    c = language(manifest_language(read_manifest(dataset))).codec()
    examples = []
    for integrand, antiderivative in iter_pairs(dataset, split):
        if len(integrand) + 1 > max_source_len or len(antiderivative) + 2 > max_target_len:
            continue
        source = np.array(c.encode(integrand) + [EOS_ID], dtype=np.int64)
        target = np.array([BOS_ID] + c.encode(antiderivative) + [EOS_ID], dtype=np.int64)
        examples.append((source, target))
    return examples


def batches(examples, batch_tokens, rng):
    """
    Endless batches of similar lengths: shuffle, sort pools of 100 batches
    by length, cut into batches of at most ``batch_tokens`` padded tokens.
    """
    while True:
        order = list(range(len(examples)))
        rng.shuffle(order)
        pool_size = 100 * max(1, batch_tokens // 64)
        for start in range(0, len(order), pool_size):
            pool = sorted(order[start:start + pool_size],
                          key=lambda i: len(examples[i][0]) + len(examples[i][1]))
            cut, current, longest = [], [], 0
            for i in pool:
                longest_next = max(longest, len(examples[i][0]), len(examples[i][1]))
                if current and longest_next * (len(current) + 1) > batch_tokens:
                    cut.append(current)
                    current, longest_next = [], max(len(examples[i][0]), len(examples[i][1]))
                current.append(i)
                longest = longest_next
            if current:
                cut.append(current)
            rng.shuffle(cut)
            for batch in cut:
                yield [examples[i] for i in batch]


def collate(batch):
    """Padded tensors: source (B, S), source mask (B, S), target (B, T)."""
    S = max(len(s) for s, _ in batch)
    T = max(len(t) for _, t in batch)
    source = torch.full((len(batch), S), PAD_ID, dtype=torch.long)
    target = torch.full((len(batch), T), PAD_ID, dtype=torch.long)
    for b, (s, t) in enumerate(batch):
        source[b, :len(s)] = torch.from_numpy(s)
        target[b, :len(t)] = torch.from_numpy(t)
    return source, (source != PAD_ID).long(), target


@torch.no_grad()
def greedy(model, source, source_mask, max_len):
    """Greedy decoding with the cache; returns (B, <= max_len) ids."""
    cross_k, cross_v, cross_mask = model.encode(source, source_mask)
    B = source.shape[0]
    c = model.config
    shape = (c.decoder_layers, B, c.heads, 0, c.d_model // c.heads)
    device = source.device
    past_k = torch.zeros(shape, device=device)
    past_v = torch.zeros(shape, device=device)
    token = torch.full((B, 1), BOS_ID, dtype=torch.long, device=device)
    out, done = [], torch.zeros(B, dtype=torch.bool, device=device)
    for position in range(max_len - 1):
        logits, past_k, past_v = model.decode_step(
            token, torch.tensor(position, device=device), past_k, past_v,
            cross_k, cross_v, cross_mask)
        token = logits.argmax(-1, keepdim=True)
        token[done] = PAD_ID
        out.append(token)
        done |= token[:, 0] == EOS_ID
        if done.all():
            break
    return torch.cat(out, dim=1)


def _antiderivative_verifies(source_tokens, answer_tokens):
    from .. import from_tokens
    from ..integration.verify import verify_antiderivative
    x = from_tokens(["x"])
    integrand = from_tokens(source_tokens)
    return bool(verify_antiderivative(integrand, from_tokens(answer_tokens), x))


def _recurrence_reproduces(source_tokens, answer_tokens):
    from ..bridge.recurrence import parse_recurrence
    from ..tokens.sequences import BASE, sequence_codec
    c = sequence_codec()
    terms = c.decode_integers(c.encode(source_tokens), BASE)
    recurrence = parse_recurrence(answer_tokens)
    return recurrence.extend(terms, len(terms)) == terms


#: For each token language, whether an answer is right whatever its form:
#: an antiderivative that differentiates back, a recurrence that reproduces
#: every given term.
CHECKS = {"integration": _antiderivative_verifies, "sequences": _recurrence_reproduces}


def evaluate(model, examples, max_len, batch_size=32, language_name="integration"):
    """Exact-match and verified shares of greedy decoding on ``examples``."""
    c = language(language_name).codec()
    check = CHECKS[language_name]
    model.eval()
    device = next(model.parameters()).device
    exact = verified = 0
    for start in range(0, len(examples), batch_size):
        chunk = examples[start:start + batch_size]
        source, mask, _ = collate(chunk)
        source, mask = source.to(device), mask.to(device)
        for row, (s, t) in zip(greedy(model, source, mask, max_len).tolist(), chunk):
            tokens = c.decode_batch(np.array([row]))[0]
            expected = c.decode(t[1:-1])
            exact += tokens == expected
            if not c.is_complete(c.encode(tokens)):
                continue
            try:
                verified += check(c.decode(s[:-1]), tokens)
            except (ValueError, ArithmeticError, RuntimeError, TypeError):
                pass
    model.train()
    return exact / len(examples), verified / len(examples)


def lr_at(step, config):
    warmup = config["warmup"]
    if step < warmup:
        return config["lr"] * (step + 1) / warmup
    return config["lr"] * math.sqrt(warmup / (step + 1))


def save_checkpoint(path, model, optimizer, step, seen, rng, config):
    temporary = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "step": step, "seen": seen, "rng": rng.getstate(),
                "torch_rng": torch.get_rng_state(), "config": config,
                "model_config": model.config.to_dict(),
                "language": model.language,
                "vocabulary": language(model.language).fingerprint()}, temporary)
    os.replace(temporary, path)


def choose_device(name):
    """The torch device for ``name``: "auto" (CUDA when there is a GPU), "cpu" or "cuda"."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} was asked for, but torch sees no GPU: "
                         "set [train] device = \"cpu\" or \"auto\"")
    return torch.device(name)


def train(config):
    paths, train_cfg = config["paths"], config["train"]
    if train_cfg["threads"]:
        torch.set_num_threads(train_cfg["threads"])
    device = choose_device(train_cfg["device"])
    folder = pathlib.Path(paths["checkpoint_dir"])
    folder.mkdir(parents=True, exist_ok=True)
    checkpoint = folder / "last.pt"
    log_path = folder / "log.jsonl"

    manifest = read_manifest(paths["dataset"])
    if manifest is None:
        raise FileNotFoundError(f"no dataset in {paths['dataset']}")
    data_cfg = config["data"]
    train_examples = load_examples(paths["dataset"], "train",
                                   data_cfg["max_source_len"], data_cfg["max_target_len"])
    test_examples = load_examples(paths["dataset"], "test",
                                  data_cfg["max_source_len"], data_cfg["max_target_len"])
    rng = random.Random(train_cfg["seed"])
    eval_examples = random.Random(1).sample(
        test_examples, min(train_cfg["eval_examples"], len(test_examples)))
    logger.info("%d training and %d held-out pairs", len(train_examples), len(test_examples))

    language_name = manifest_language(manifest)
    model_cfg = ModelConfig(vocab_size=len(language(language_name).tokens), **config["model"])
    torch.manual_seed(train_cfg["seed"])
    model = Seq2Seq(model_cfg, language_name).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=train_cfg["lr"],
                                  betas=(0.9, 0.98), weight_decay=train_cfg["weight_decay"])
    step, seen = 0, 0
    if checkpoint.exists():
        state = torch.load(checkpoint, map_location=device, weights_only=False)
        if state["model_config"] != model_cfg.to_dict():
            raise ValueError(f"{checkpoint} has another model configuration: "
                             "use another checkpoint_dir")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, seen = state["step"], state["seen"]
        rng.setstate(state["rng"])
        torch.set_rng_state(state["torch_rng"].cpu())
        logger.info("resumed from %s at step %d", checkpoint, step)

    print(f"model: {model.parameter_count() / 1e6:.2f}M parameters on {device}; "
          f"{len(train_examples)} training pairs, {len(test_examples)} held out")
    stream = batches(train_examples, train_cfg["batch_tokens"], rng)
    deadline = time.monotonic() + 60 * train_cfg["minutes"]
    bar = tqdm(total=train_cfg["steps"], initial=step, unit="step")
    model.train()
    window_start, window_pairs, window_loss, window_steps = time.monotonic(), 0, 0.0, 0
    while step < train_cfg["steps"] and time.monotonic() < deadline:
        batch = next(stream)
        source, source_mask, target = (t.to(device) for t in collate(batch))
        logits = model(source, source_mask, target[:, :-1])              # (B, T-1, V)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                               target[:, 1:].reshape(-1), ignore_index=PAD_ID)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, train_cfg)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), train_cfg["clip"])
        optimizer.step()
        step += 1
        seen += len(batch)
        window_pairs += len(batch)
        window_loss += loss.item()
        window_steps += 1
        bar.update(1)

        if step % 50 == 0:
            elapsed = time.monotonic() - window_start
            record = {"step": step, "seen": seen, "loss": window_loss / window_steps,
                      "pairs_per_s": window_pairs / elapsed, "lr": lr_at(step, train_cfg)}
            bar.set_postfix(loss=f"{record['loss']:.3f}",
                            pairs_s=f"{record['pairs_per_s']:.0f}")
            with open(log_path, "a") as f:
                f.write(json.dumps(record) + "\n")
            window_start, window_pairs, window_loss, window_steps = time.monotonic(), 0, 0.0, 0
        if step % train_cfg["checkpoint_every"] == 0:
            save_checkpoint(checkpoint, model, optimizer, step, seen, rng, config)
        if step % train_cfg["eval_every"] == 0 and eval_examples:
            exact, verified = evaluate(model, eval_examples, data_cfg["max_target_len"],
                                       language_name=language_name)
            tqdm.write(f"step {step}: held-out greedy exact {exact:.1%}, verified {verified:.1%}")
            with open(log_path, "a") as f:
                f.write(json.dumps({"step": step, "eval_exact": exact,
                                    "eval_verified": verified}) + "\n")
    bar.close()
    save_checkpoint(checkpoint, model, optimizer, step, seen, rng, config)
    return model, step, seen


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sage_neural.training.train",
                                     description="train the integration model")
    parser.add_argument("config", help="TOML configuration file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    _, step, seen = train(load_config(args.config))
    print(f"stopped at step {step} after {seen} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
