package dev.lockmanager.lock.benchmark.contention;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.lockmanager.lock.benchmark.Report;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Many threads on ONE hot key, this starter side by side with the libraries it is compared to (a hand-written raw
 * floor, Spring Integration's {@code RedisLockRegistry} in both lock types, Redisson), each "application instance"
 * with a client of its own, all against one local redis-server that the benchmark starts and always stops. First in
 * one JVM (the instances share it), then with every instance a separate JVM. Implementations run in rotating order,
 * slice by slice, so that they see the same machine. Fails (exit 2) if any holder overlapped another or a fencing
 * token went backwards, never on a number. Settings: {@link ContentionSettings}, defaults in the module's pom (the
 * {@code contention} profile runs it).
 */
public final class ContentionBenchmark {

	/** The cell that matters most: four instances of two threads, a 50 us critical section. */
	private static final int HEADLINE_INSTANCES = 4;

	private static final long HEADLINE_SECTION_MICROS = 50;

	private final ContentionSettings settings;

	private final Report report = new Report();

	/** The starter's comparison in the cells that matter most, repeated at the end. */
	private final List<String> headlines = new ArrayList<>();

	private boolean violated;

	/** Advanced for every slice, so that the order of the implementations keeps rotating. */
	private int rotation;

	private ContentionBenchmark(ContentionSettings settings) {
		this.settings = settings;
	}

	public static void main(String[] args) {
		int status;
		try {
			status = new ContentionBenchmark(ContentionSettings.fromSystemProperties()).run();
		}
		catch (Throwable ex) {
			ex.printStackTrace();
			status = 1;
		}
		// Clients are closed by now; exit even if a library left a non-daemon thread behind.
		System.exit(status);
	}

	private int run() throws Exception {
		long start = System.nanoTime();
		try (RedisServer redis = new RedisServer()) {
			redis.start();
			RunDescription.print(this.report, this.settings, redis);
			CellTable.printLegend(this.report);
			warmUp(redis);
			for (long section : this.settings.sectionsMicros()) {
				for (int instances : this.settings.instances()) {
					inJvmCell(redis, instances, section);
				}
			}
			if (this.settings.processes() > 0) {
				for (long section : this.settings.processSectionsMicros()) {
					processCell(redis, section);
				}
			}
			this.report.print("");
			this.headlines.forEach(this.report::print);
			this.report.print(this.violated ? "exclusivity VIOLATED: see the overlaps and fence columns above"
					: "exclusivity OK: no overlapping holders and no fencing token regression in any cell");
			this.report.printf("run time: %.0fs; at the end: %s", (System.nanoTime() - start) / 1e9,
					RunDescription.loadAverage());
			return this.violated ? 2 : 0;
		}
		finally {
			this.report.writeTo(this.settings.report());
		}
	}

	/** Lets the JIT compile each implementation's contended path before anything is measured, in the headline's shape. */
	private void warmUp(RedisServer redis) throws Exception {
		int instances = this.settings.instances().stream().mapToInt(Integer::intValue).max().orElse(1);
		long nanos = seconds(this.settings.initialWarmupSeconds());
		for (Implementation implementation : this.settings.implementations()) {
			List<HotKeyLock> locks = open(implementation, redis, instances);
			try {
				long end = System.nanoTime() + nanos;
				runSlice(locks, HEADLINE_SECTION_MICROS * 1000, end, end);
			}
			finally {
				closeAll(locks);
			}
		}
	}

	private void inJvmCell(RedisServer redis, int instances, long sectionMicros) throws Exception {
		List<Implementation> implementations = this.settings.implementations();
		Map<Implementation, List<HotKeyLock>> locks = new EnumMap<>(Implementation.class);
		Map<Implementation, List<SliceLog>> slices = new EnumMap<>(Implementation.class);
		long sliceNanos = seconds(this.settings.seconds()) / this.settings.rounds();
		try {
			for (Implementation implementation : implementations) {
				locks.put(implementation, open(implementation, redis, instances));
				slices.put(implementation, new ArrayList<>());
			}
			for (int round = 0; round < this.settings.rounds(); round++) {
				for (Implementation implementation : rotated(implementations)) {
					long from = System.nanoTime() + this.settings.warmupMillis() * 1_000_000;
					slices.get(implementation)
						.add(runSlice(locks.get(implementation), sectionMicros * 1000, from, from + sliceNanos));
				}
			}
		}
		finally {
			locks.values().forEach(ContentionBenchmark::closeAll);
		}
		String shape = instances + " instance" + (instances == 1 ? "" : "s") + " x "
				+ this.settings.threads() / instances + " threads in one JVM, critical section " + sectionMicros + " us";
		printCell(shape, String.format(Locale.ROOT, "%s: %.1fs per implementation in %d rotating slices", shape,
				this.settings.seconds(), this.settings.rounds()), instances, sectionMicros, slices);
	}

	private void processCell(RedisServer redis, long sectionMicros) throws Exception {
		int processes = this.settings.processes();
		int threads = this.settings.threads() / processes;
		Map<Implementation, List<SliceLog>> slices = new EnumMap<>(Implementation.class);
		for (Implementation implementation : rotated(this.settings.implementations())) {
			slices.put(implementation, List.of(ChildProcesses.run(implementation, redis.host(), redis.port(),
					processes, threads, sectionMicros * 1000, seconds(this.settings.processWarmupSeconds()),
					seconds(this.settings.processSeconds()), this.settings.childJvmArgs())));
		}
		String shape = processes + " processes x " + threads + " threads, separate JVMs, critical section "
				+ sectionMicros + " us";
		printCell(shape, String.format(Locale.ROOT, "%s: %.1fs per implementation after %.1fs of warm-up", shape,
				this.settings.processSeconds(), this.settings.processWarmupSeconds()), processes, sectionMicros,
				slices);
	}

	private void printCell(String shape, String title, int instances, long sectionMicros,
			Map<Implementation, List<SliceLog>> slices) {
		Map<Implementation, CellMetrics> rows = new LinkedHashMap<>();
		for (Implementation implementation : this.settings.implementations()) {
			CellMetrics metrics = CellMetrics.of(slices.get(implementation), instances, implementation.fencing);
			rows.put(implementation, metrics);
			this.violated |= !metrics.exclusive();
		}
		boolean headline = instances == HEADLINE_INSTANCES && sectionMicros == HEADLINE_SECTION_MICROS;
		CellTable.print(this.report, headline ? title + "   <- headline" : title, rows);
		if (headline && rows.containsKey(Implementation.STARTER)) {
			this.headlines.add("headline, " + shape + ": " + CellTable.starterComparison(rows));
		}
	}

	/** Runs one slice: the instances' threads split evenly over their locks, from now until {@code to}. */
	private SliceLog runSlice(List<HotKeyLock> instances, long sectionNanos, long from, long to)
			throws InterruptedException {
		int threads = this.settings.threads();
		HotKeyLock[] locks = new HotKeyLock[threads];
		int[] instanceOfThread = new int[threads];
		for (int t = 0; t < threads; t++) {
			instanceOfThread[t] = t / (threads / instances.size());
			locks[t] = instances.get(instanceOfThread[t]);
		}
		return SliceRunner.run(locks, instanceOfThread, sectionNanos, from, to);
	}

	private List<Implementation> rotated(List<Implementation> implementations) {
		List<Implementation> order = new ArrayList<>();
		for (int i = 0; i < implementations.size(); i++) {
			order.add(implementations.get((this.rotation + i) % implementations.size()));
		}
		this.rotation++;
		return order;
	}

	/** Opens {@code count} instances, closing those already open if one fails. */
	private static List<HotKeyLock> open(Implementation implementation, RedisServer redis, int count) {
		List<HotKeyLock> locks = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				locks.add(implementation.open(redis.host(), redis.port()));
			}
			return locks;
		}
		catch (RuntimeException ex) {
			closeAll(locks);
			throw ex;
		}
	}

	/** Closes every lock, even when closing one fails: none may keep a client open. */
	private static void closeAll(List<HotKeyLock> locks) {
		for (HotKeyLock lock : locks) {
			try {
				lock.close();
			}
			catch (RuntimeException ex) {
				ex.printStackTrace();
			}
		}
	}

	private static long seconds(double seconds) {
		return (long) (seconds * 1e9);
	}

}
