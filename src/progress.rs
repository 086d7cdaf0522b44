//! Progress bars for long runs (indicatif), drawn on stderr and only when
//! stderr is a terminal: a pipe or a file never receives them, and stdout
//! never does. The stages that take time on large inputs report through a
//! [`Stage`]; by default ([`Progress::hidden`]) they report to nothing.
//! When asked ([`Progress::timed`], `--timings`), every stage's wall-clock
//! time is recorded too ([`Timings`]), with the process' CPU time and peak
//! memory where the system tells them (Linux), for finding where a run's
//! time goes, which stages leave a core idle and where memory peaks.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Read};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The wall-clock time of each stage of a run, in the order they ended,
/// when recording; nothing (and no cost) otherwise.
#[derive(Clone, Debug, Default)]
pub struct Timings(Option<Arc<Mutex<Spent>>>);

/// Stages and their times, in the order they ended.
type Spent = Vec<(&'static str, StageTime)>;

/// What one stage took.
#[derive(Clone, Copy, Debug)]
pub struct StageTime {
    /// Wall-clock time.
    pub wall: Duration,
    /// What the whole process used (every thread) while the stage ran,
    /// where the system tells it.
    pub usage: Option<Usage>,
    /// The process' peak resident memory so far, in bytes, when the stage
    /// ended, where the system tells it.
    pub peak_bytes: Option<u64>,
}

impl Timings {
    /// Timings that record.
    pub fn recording() -> Self {
        Timings(Some(Arc::default()))
    }

    /// Runs `work`, recording its time as stage `what`.
    pub fn time<T>(&self, what: &'static str, work: impl FnOnce() -> T) -> T {
        let Some(spent) = &self.0 else {
            return work();
        };
        let usage_start = Usage::of_process();
        let start = Instant::now();
        let result = work();
        let wall = start.elapsed();
        let usage = match (usage_start, Usage::of_process()) {
            (Some(start), Some(end)) => Some(end.since(&start)),
            _ => None,
        };
        spent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((
                what,
                StageTime {
                    wall,
                    usage,
                    peak_bytes: peak_resident_bytes(),
                },
            ));
        result
    }

    /// The stages recorded so far, with their times.
    pub fn spent(&self) -> Vec<(&'static str, StageTime)> {
        self.0.as_ref().map_or_else(Vec::new, |spent| {
            spent
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone()
        })
    }
}

/// CPU time and page faults, of a process or over a stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// CPU time, user and system.
    pub cpu: Duration,
    /// The system's share of `cpu`: where memory is dear to touch first
    /// (a virtual machine's), mostly the page faults.
    pub system: Duration,
    /// Minor page faults: pages touched for the first time (or again,
    /// after being given back), without reading a file.
    pub minor_faults: u64,
}

impl Usage {
    /// What this process has used so far (all threads), from
    /// `/proc/self/stat` (times in clock ticks, 1/100 s on Linux); `None`
    /// elsewhere.
    fn of_process() -> Option<Usage> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // The command name (field 2) may hold spaces: fields are counted
        // after its closing parenthesis, where field 3 starts.
        let fields: Vec<&str> = stat
            .get(stat.rfind(')')? + 1..)?
            .split_ascii_whitespace()
            .collect();
        let field = |number: usize| -> Option<u64> { fields.get(number - 3)?.parse().ok() };
        let (user, system) = (field(14)?, field(15)?);
        Some(Usage {
            cpu: Duration::from_millis((user + system) * 10),
            system: Duration::from_millis(system * 10),
            minor_faults: field(10)?,
        })
    }

    /// What was used since `start`.
    fn since(&self, start: &Usage) -> Usage {
        Usage {
            cpu: self.cpu.saturating_sub(start.cpu),
            system: self.system.saturating_sub(start.system),
            minor_faults: self.minor_faults.saturating_sub(start.minor_faults),
        }
    }
}

impl std::iter::Sum for Usage {
    fn sum<I: Iterator<Item = Usage>>(usages: I) -> Usage {
        usages.fold(Usage::default(), |total, usage| Usage {
            cpu: total.cpu + usage.cpu,
            system: total.system + usage.system,
            minor_faults: total.minor_faults + usage.minor_faults,
        })
    }
}

/// The process' peak resident memory (`VmHWM` in `/proc/self/status`), in
/// bytes; `None` elsewhere.
fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    let kilobytes: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kilobytes * 1024)
}

/// When bars are drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum When {
    /// For large inputs, when stderr is a terminal.
    #[default]
    Auto,
    /// Whatever the input size, when stderr is a terminal.
    Always,
    /// Never.
    Never,
}

crate::choice::choices!(When {
    Auto => "auto", "For large inputs, when stderr is a terminal";
    Always => "always", "Whatever the input size, when stderr is a terminal";
    Never => "never", "Never";
});

/// A stage counts documents or bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Documents (signing, clustering).
    Documents,
    /// Input bytes (reading).
    Bytes,
}

impl Unit {
    /// Below this many units a stage is quick and `Auto` draws no bar.
    fn large(self) -> u64 {
        match self {
            Unit::Documents => 20_000,
            Unit::Bytes => 32 * 1024 * 1024,
        }
    }
}

/// Whether and where stages draw their bars, and whether their times are
/// recorded.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    when: Option<When>,
    timings: Timings,
}

impl Progress {
    /// No bars (the default for the library).
    pub fn hidden() -> Self {
        Progress::default()
    }

    /// Bars as `when` asks, if stderr is a terminal; none when `quiet`.
    pub fn on_terminal(when: When, quiet: bool) -> Self {
        let shown = !quiet && when != When::Never && std::io::stderr().is_terminal();
        Progress {
            when: shown.then_some(when),
            timings: Timings::default(),
        }
    }

    /// The same, also recording each stage's time in `timings`.
    pub fn timed(self, timings: Timings) -> Self {
        Progress { timings, ..self }
    }

    /// Where stage times go.
    pub fn timings(&self) -> &Timings {
        &self.timings
    }

    /// Whether no stage will draw a bar.
    pub fn is_hidden(&self) -> bool {
        self.when.is_none()
    }

    /// Starts a stage of `total` units, described by `what` ("signing").
    pub fn stage(&self, what: &'static str, total: u64, unit: Unit) -> Stage {
        let draw = match self.when {
            Some(When::Always) => true,
            Some(When::Auto) => total >= unit.large(),
            _ => false,
        };
        if !draw {
            return Stage {
                bar: None,
                timings: self.timings.clone(),
            };
        }
        let template = match unit {
            Unit::Documents => "{msg:>10} [{bar:40}] {human_pos}/{human_len} documents ({elapsed})",
            Unit::Bytes => "{msg:>10} [{bar:40}] {bytes}/{total_bytes} ({elapsed})",
        };
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
            .with_style(
                ProgressStyle::with_template(template)
                    .expect("a valid template")
                    .progress_chars("=> "),
            )
            .with_message(what);
        Stage {
            bar: Some(bar),
            timings: self.timings.clone(),
        }
    }
}

/// One stage's bar (or nothing); the bar is finished when the stage is
/// dropped, leaving one line saying what was done and how long it took.
#[derive(Debug, Default)]
pub struct Stage {
    bar: Option<ProgressBar>,
    timings: Timings,
}

impl Stage {
    /// A stage that reports to nothing.
    pub fn hidden() -> Self {
        Stage::default()
    }

    /// Where the times of this stage's parts go.
    pub fn timings(&self) -> &Timings {
        &self.timings
    }

    /// `reader`, counting the bytes read from it on this stage.
    pub fn counting<R: Read + Send + 'static>(&self, reader: R) -> Box<dyn Read + Send> {
        match &self.bar {
            Some(bar) => Box::new(bar.wrap_read(reader)),
            None => Box::new(reader),
        }
    }

    /// Counts `n` more units done.
    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn usage_counts_the_pages_first_touched() {
        let before = Usage::of_process().expect("Linux has /proc/self/stat");
        // 16 MB written once: thousands of pages touched for the first
        // time (fewer only if huge pages back them).
        let mut fresh = vec![0u8; 16 << 20];
        for page in fresh.chunks_mut(4096) {
            page[0] = 1;
        }
        std::hint::black_box(&fresh);
        let spent = Usage::of_process().expect("Linux").since(&before);
        assert!(spent.minor_faults >= 8, "{spent:?}");
        assert!(spent.system <= spent.cpu, "{spent:?}");
    }

    #[test]
    fn hidden_progress_draws_nothing_whatever_the_size() {
        let stage = Progress::hidden().stage("signing", 1 << 40, Unit::Documents);
        assert!(stage.bar.is_none());
        stage.inc(5);
    }

    #[test]
    fn timings_record_only_when_asked() {
        let silent = Progress::hidden();
        assert_eq!(silent.timings().time("read", || 7), 7);
        assert!(silent.timings().spent().is_empty());
        let timings = Timings::recording();
        let timed = Progress::hidden().timed(timings.clone());
        timed.timings().time("read", || ());
        timed
            .stage("signing", 1, Unit::Documents)
            .timings()
            .time("sign", || ());
        let names: Vec<&str> = timings.spent().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["read", "sign"]);
    }

    #[test]
    fn auto_draws_only_large_stages() {
        let auto = Progress {
            when: Some(When::Auto),
            timings: Timings::default(),
        };
        assert!(auto.stage("signing", 10, Unit::Documents).bar.is_none());
        let large = auto.stage("signing", 1_000_000, Unit::Documents);
        assert!(large.bar.is_some());
        // Keep the test's own stderr clean.
        large
            .bar
            .as_ref()
            .unwrap()
            .set_draw_target(ProgressDrawTarget::hidden());
    }
}
