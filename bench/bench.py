#!/usr/bin/env python3
"""herald against the Chromium panel, side by side on this machine (`./dev bench`).

Each round runs, one after the other on the same 1920x1080 Xvfb setup:
  calls   a call every 15 s (Chromium: panel.html; herald: its default screen, sk+en, fed by
          herald-relay, to which this script posts one webhook call every 15 s)
  still1  nothing happening (Chromium: panel-idle.html; herald: one language, no calls)
  still2  nothing happening, herald rotating two languages (Chromium: panel-idle.html again)
and measures, for each side: CPU of the whole process tree over 60 s after a 15 s warm-up,
memory (PSS summed over the tree) at the end, launch -> first content (the window's pixels
show the page's colours), frames per second of the call animation, and from the still runs
the CPU-seconds of one language switch and of one quiet minute (the clock's change).

The Chromium side is ../shared/bench/chromium-panel/run.sh (its Xvfb, its pixel watch, its
sampler), unchanged; herald's side uses the same sampler.py. It is a report, not a test: the
table and the raw numbers go to stdout and to bench-results/report.md.
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PANEL = os.path.realpath(os.path.join(ROOT, "..", "shared", "bench", "chromium-panel"))
HERALD_DISPLAY = 198   # Chromium's run.sh uses 199
RELAY = "127.0.0.1:8791"
TOKEN = "bench-webhook-token"

# ---- reading pixels of the X root window (XGetImage, 1x1) ----
_X = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
_X.XOpenDisplay.restype = ctypes.c_void_p
_X.XOpenDisplay.argtypes = [ctypes.c_char_p]
_X.XDefaultRootWindow.restype = ctypes.c_ulong
_X.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
_X.XGetPixel.restype = ctypes.c_ulong
_X.XGetPixel.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
_X.XGetImage.restype = ctypes.c_void_p
_X.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                         ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
_X.XDestroyImage.argtypes = [ctypes.c_void_p]
_X.XCloseDisplay.argtypes = [ctypes.c_void_p]


class Screen:
    """An open X display whose pixels can be read."""

    def __init__(self, display):
        self.dpy = _X.XOpenDisplay(display.encode())
        if not self.dpy:
            raise RuntimeError(f"cannot open X display {display}")
        self.root = _X.XDefaultRootWindow(self.dpy)

    def pixel(self, x, y):
        image = _X.XGetImage(self.dpy, self.root, x, y, 1, 1, 0xFFFFFFFF, 2)
        if not image:
            return None
        value = _X.XGetPixel(image, 0, 0)
        _X.XDestroyImage(image)
        return ((value >> 16) & 255, (value >> 8) & 255, value & 255)

    def close(self):
        _X.XCloseDisplay(self.dpy)


def near(a, b, tolerance=8):
    return a is not None and all(abs(i - j) <= tolerance for i, j in zip(a, b))


def hex_rgb(text):
    return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))


# ---- herald's side ----
def start_xvfb(number):
    # -noreset: an X server resets when its last client leaves, and a connection made during the
    # reset fails (the probe below is such a last client).
    proc = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp", "-noreset"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            Screen(f":{number}").close()
            return proc
        except RuntimeError:
            time.sleep(0.05)
    raise RuntimeError("Xvfb did not start")


def start_relay(binary, out):
    site = os.path.join(out, "site.toml")
    with open(os.path.join(out, "hook.token"), "w") as f:
        f.write(TOKEN + "\n")
    with open(site, "w") as f:
        f.write(f'listen = "{RELAY}"\ndatabase = "relay.db"\n\n[[office]]\nid = "bench"\n'
                'webhook_token_file = "hook.token"\n')
    for stale in ("relay.db", "relay.db-wal", "relay.db-shm"):
        try:
            os.remove(os.path.join(out, stale))
        except FileNotFoundError:
            pass
    proc = subprocess.Popen([binary, "--site", site], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(out, "relay.log"), "w"))
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://{RELAY}/healthz", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("herald-relay did not start")


def post_call(n):
    body = json.dumps({"type": "call", "call_id": f"bench-{n}-{time.time()}",
                       "ticket": "ABC"[n % 3] + f"{40 + n:03}", "counter": str(1 + n % 6)}).encode()
    request = urllib.request.Request(f"http://{RELAY}/v1/offices/bench/events", data=body,
                                     headers={"Authorization": f"Bearer {TOKEN}",
                                              "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).read()


def run_herald(label, herald, langs, calls, out, secs, warmup=15, extra=()):
    """One herald run, measured as run.sh measures Chromium."""
    result_dir = os.path.join(out, label)
    os.makedirs(result_dir, exist_ok=True)
    xvfb = start_xvfb(HERALD_DISPLAY)
    screen = Screen(f":{HERALD_DISPLAY}")
    # The civic theme's header and panel colours: both showing means the screen is drawn.
    header, panel = hex_rgb("#102236"), hex_rgb("#122941")
    env = dict(os.environ, DISPLAY=f":{HERALD_DISPLAY}", HERALD_ROOT=ROOT,
               XDG_RUNTIME_DIR=result_dir)
    env.pop("WAYLAND_DISPLAY", None)
    log = open(os.path.join(result_dir, "herald.jsonl"), "w")
    t0 = time.time()
    proc = subprocess.Popen([herald, "--feed", f"ws://{RELAY}/v1/offices/bench/feed", "--lang", langs,
                             "--mute", "--status", "off", "--size", "1920x1080", "--log-json", *extra],
                            env=env, stdout=log, stderr=open(os.path.join(result_dir, "stderr"), "w"))
    content = None
    while time.time() - t0 < 20:
        if near(screen.pixel(20, 20), header) and near(screen.pixel(100, 600), panel):
            content = time.time() - t0
            break
        time.sleep(0.01)
    screen.close()
    stop = threading.Event()

    def caller():
        n = 0
        while not stop.wait(max(0.0, t0 + 15 * (n + 1) - time.time())):
            n += 1
            try:
                post_call(n)
            except OSError as e:
                print(f"bench: webhook failed: {e}", file=sys.stderr)

    ticker = threading.Thread(target=caller, daemon=True)
    if calls:
        ticker.start()
    time.sleep(max(0.0, t0 + warmup - time.time()))
    sample = os.path.join(result_dir, "sample.json")
    subprocess.run([sys.executable, os.path.join(PANEL, "sampler.py"), str(proc.pid), str(xvfb.pid),
                    str(secs), sample], stdout=subprocess.DEVNULL, check=True)
    stop.set()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    xvfb.terminate()
    xvfb.wait()
    log.close()
    measured = json.load(open(sample))
    fps, passes, per_call = [], [], []
    for line in open(os.path.join(result_dir, "herald.jsonl")):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "call_animation":
            fps.append(event["fps"])
            per_call.append(event["frames"])
        if event.get("event") == "render_passes" and event.get("frames"):
            passes.append(event)
    return dict(cpu=measured["chrome_cpu_pct"], pss=measured["pss_sum_mb"], content_s=content,
                fps=statistics.median(fps) if fps else None, xvfb_cpu=measured["xvfb_cpu_pct"],
                passes=passes, frames_per_call=statistics.median(per_call) if per_call else None)


def frame_costs(run):
    """Where a herald frame's time goes: each pass's time and pixels, frame-weighted over the
    run's `render_passes` reports, and the CPU of the whole process per frame drawn."""
    reports = run["passes"]
    frames = sum(r["frames"] for r in reports)
    if not frames:
        return ["(no `render_passes` report: was herald built with --frame-costs?)"]
    unchanged = sum(r.get("unchanged", 0) for r in reports)
    room = sum(r.get("room_frames", r["frames"]) for r in reports)
    restored = sum(r.get("room_restored", 0) for r in reports)
    totals = {}
    for r in reports:
        for p in r["passes"]:
            t = totals.setdefault(p["pass"], [0.0, 0.0])
            t[0] += p["gpu_ms"] * r["frames"]
            t[1] += p["fragments"] * r["frames"]
    screen = 1920 * 1080
    lines = ["| render pass | renderer time per frame | pixels shaded per frame |", "|---|---|---|"]
    for name, (ms, px) in sorted(totals.items(), key=lambda kv: -kv[1][0]):
        if px:
            shaded = f"{px / frames / 1e6:.2f} M ({px / frames / screen:.2f} screens)"
        else:
            shaded = "every pixel of the window (a copy)" if name == "upscaling" else "none"
        lines.append(f"| `{name}` | {ms / frames:.1f} ms | {shaded} |")
    # Each report covers 10 s: frames per second over them, against the sampled CPU.
    per_second = frames / (10.0 * len(reports))
    cpu_ms = run["cpu"] / 100.0 * 1000.0 / per_second
    lines += ["", f"About {cpu_ms:.0f} CPU-ms per frame drawn for the whole herald process "
              f"({frames} frames in {len(reports)} reports; lavapipe spreads a pass over "
              f"{os.cpu_count()} threads, so its CPU time is up to {os.cpu_count()}× the time above).",
              "", f"Frames drawn that changed nothing on screen: {unchanged} of {frames}; "
              f"that drew the room's layer (the rest only the call's line): {room} of {frames}, "
              f"that copied a kept room back instead: {restored}; "
              f"frames per call (`call_animation`): {fmt(run.get('frames_per_call'), '', 0)}, "
              f"about {cpu_ms * (run.get('frames_per_call') or 0) / 1000:.2f} CPU-s per call's motion."]
    return lines


# ---- Chromium's side ----
def run_chromium(label, page, out, watch_fps):
    env = dict(os.environ, OUT=out)
    counter = {}
    stop = threading.Event()

    def frames():
        # Inside the "now serving" box, away from its text: its background animates on a call.
        # Only inside run.sh's sampling window (15-75 s after its start): an open connection when
        # its Xvfb stops would end this script (Xlib exits on a lost display).
        started = time.time()
        time.sleep(16)
        try:
            screen = Screen(":199")
        except RuntimeError:
            return
        last, changes, bursts, last_change = None, 0, 0, 0.0
        while not stop.is_set() and time.time() - started < 70:
            colour = screen.pixel(90, 600)
            now = time.time()
            if last is not None and colour != last:
                if now - last_change > 1.0:
                    bursts += 1
                changes += 1
                last_change = now
            last = colour
            time.sleep(0.004)
        screen.close()
        counter.update(changes=changes, bursts=bursts)

    watcher = threading.Thread(target=frames, daemon=True)
    if watch_fps:
        watcher.start()
    subprocess.run(["bash", os.path.join(PANEL, "run.sh"), label, page, "--disable-gpu"], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    stop.set()
    if watch_fps:
        watcher.join(timeout=5)
    result_dir = os.path.join(out, label)
    measured = json.load(open(os.path.join(result_dir, "sample.json")))
    first = json.load(open(os.path.join(result_dir, "firstpaint.json")))
    fps = None
    if counter.get("bursts"):
        # Each call's highlight runs 2 s; every new colour in the box is a new frame.
        fps = counter["changes"] / (2.0 * counter["bursts"])
    content = first.get("content_ms")
    return dict(cpu=measured["chrome_cpu_pct"], pss=measured["pss_sum_mb"],
                content_s=content / 1000 if content else None, fps=fps,
                xvfb_cpu=measured["xvfb_cpu_pct"])


def med(rows, key):
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def ratio(a, b):
    return f"{a / b:.2f}×" if a is not None and b else "–"


def fmt(v, unit, digits=1):
    return "–" if v is None else f"{v:.{digits}f}{unit}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", default="debug", help="target folder of the herald build")
    args = parser.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    herald = os.path.join(target, args.profile, "herald")
    relay_bin = os.path.join(target, args.profile, "herald-relay")
    out = os.path.join(ROOT, "bench-results")
    os.makedirs(out, exist_ok=True)
    relay = start_relay(relay_bin, out)
    rows = {k: [] for k in ("h-calls", "h-still1", "h-still2", "c-calls", "c-still")}
    try:
        for r in range(args.rounds):
            # Interleaved: each scenario on both sides before the next.
            print(f"bench: round {r + 1}/{args.rounds}", file=sys.stderr)
            rows["c-calls"].append(run_chromium(f"chromium-calls-{r}", "panel.html", out, True))
            rows["h-calls"].append(run_herald(f"herald-calls-{r}", herald, "sk,en", True, out, 60))
            rows["c-still"].append(run_chromium(f"chromium-still-{r}", "panel-idle.html", out, False))
            rows["h-still1"].append(run_herald(f"herald-still1-{r}", herald, "sk", False, out, 60))
            rows["h-still2"].append(run_herald(f"herald-still2-{r}", herald, "sk,en", False, out, 60))
        # Not in the comparison (measuring adds a little work): where herald's frames go.
        costs = run_herald("herald-frame-costs", herald, "sk,en", True, out, 60, extra=["--frame-costs"])
    finally:
        relay.terminate()
        relay.wait()
    cpu = {k: med(v, "cpu") for k, v in rows.items()}
    pss = {k: med(v, "pss") for k, v in rows.items()}
    # run.sh samples Chromium for 60 s; herald is sampled as long.
    secs = 60
    # One language switch: the extra CPU of two rotating languages over one, per switch (every 12 s).
    switches = secs / 12.0
    switch = (cpu["h-still2"] - cpu["h-still1"]) / 100.0 * secs / switches
    minute = cpu["h-still1"] / 100.0 * 60.0
    chromium_minute = cpu["c-still"] / 100.0 * 60.0
    when = time.strftime("%Y-%m-%d")
    cores = os.cpu_count()
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    version = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"herald ({args.profile} build) against {version} in kiosk mode (`--disable-gpu`), {when}, "
        f"{cores} cores ({model}), Xvfb 1920×1080, software rendering (lavapipe / SwiftShader), "
        f"{args.rounds} interleaved round(s), {secs} s sampled after a 15 s warm-up, medians.",
        "",
        "| | Chromium panel | herald | ratio (herald / Chromium) |",
        "|---|---|---|---|",
        f"| CPU with 4 calls a minute (process tree) | {fmt(cpu['c-calls'], ' %')} | {fmt(cpu['h-calls'], ' %')} | {ratio(cpu['h-calls'], cpu['c-calls'])} |",
        f"| CPU, still screen, one language | {fmt(cpu['c-still'], ' %', 2)} | {fmt(cpu['h-still1'], ' %', 2)} | {ratio(cpu['h-still1'], cpu['c-still'])} |",
        f"| CPU, still screen, two languages rotating | {fmt(cpu['c-still'], ' %', 2)} | {fmt(cpu['h-still2'], ' %', 2)} | {ratio(cpu['h-still2'], cpu['c-still'])} |",
        f"| memory (PSS, all processes), calls | {fmt(pss['c-calls'], ' MB', 0)} | {fmt(pss['h-calls'], ' MB', 0)} | {ratio(pss['h-calls'], pss['c-calls'])} |",
        f"| launch → first content | {fmt(med(rows['c-calls'], 'content_s'), ' s', 2)} | {fmt(med(rows['h-calls'], 'content_s'), ' s', 2)} | {ratio(med(rows['h-calls'], 'content_s'), med(rows['c-calls'], 'content_s'))} |",
        f"| call animation, frames per second | {fmt(med(rows['c-calls'], 'fps'), ' fps')} | {fmt(med(rows['h-calls'], 'fps'), ' fps')} | {ratio(med(rows['h-calls'], 'fps'), med(rows['c-calls'], 'fps'))} |",
        f"| CPU-seconds per language switch | – | {switch:.3f} s | |",
        f"| CPU-seconds per quiet minute (the clock's change) | {chromium_minute:.3f} s | {minute:.3f} s | {ratio(minute, chromium_minute)} |",
        "",
        "Xvfb's own CPU (not in the figures above): Chromium "
        f"{fmt(med(rows['c-calls'], 'xvfb_cpu'), ' %')} / herald {fmt(med(rows['h-calls'], 'xvfb_cpu'), ' %')} with calls.",
        "Chromium's fps counts the new colours of its call box during each 2 s highlight (a pixel "
        "read every 4 ms); herald's is its `call_animation` report (the pop-in's frames over its visible 0.37 s; after it, "
        "only the two flashes' switches are drawn, one frame each).",
    ]
    lines += ["", "Where a herald frame's time goes (`--frame-costs`, same cadence of calls, "
              "a run of its own):", ""] + frame_costs(costs)
    report = "\n".join(lines)
    print(report)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(report + "\n\nraw:\n" + json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
