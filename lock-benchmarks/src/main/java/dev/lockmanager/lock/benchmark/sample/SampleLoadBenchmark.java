package dev.lockmanager.lock.benchmark.sample;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.lockmanager.lock.benchmark.RedisInfo;
import dev.lockmanager.lock.benchmark.Report;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Measures the sample order service under contention: orders/s with {@code bench.sample.concurrency} (20) concurrent
 * {@code POST /order} of one item, all on one instance, then split evenly over two instances of the sample that
 * share one Redis and one database ({@link SampleDatabase}: PostgreSQL where installed), and the ratio of the two.
 * Every run starts fresh instances from the sample's executable jar on a fresh database seeded with a large stock,
 * loads them for a warm-up and a measured window, and then checks the books through the service: orders accepted =
 * stock taken = order rows added. Runs on one and on two instances alternate for a few rounds, and the summary gives
 * medians and spread, as a 2-core machine is noisy.
 *
 * <p>Exit status: 0; 2 if a run's books do not balance, an instance died or the stock ran out; 1 if it could not run.
 * A missed throughput target never fails it. Settings: see {@link SampleSettings}.
 */
public final class SampleLoadBenchmark {

	/** An item of the benchmark's own, so that its stock is the one the benchmark seeds. */
	private static final String ITEM = "bench-item";

	private final SampleSettings settings;

	private final Report report = new Report();

	private final ResultTable table = new ResultTable(this.report);

	private SampleLoadBenchmark(SampleSettings settings) {
		this.settings = settings;
	}

	public static void main(String[] args) {
		SampleSettings settings = SampleSettings.fromSystemProperties();
		Optional<String> missingJar = settings.missingJar();
		int status;
		if (missingJar.isPresent()) {
			System.err.println(missingJar.get());
			status = 1;
		}
		else {
			try {
				status = new SampleLoadBenchmark(settings).run();
			}
			catch (Throwable ex) {
				ex.printStackTrace();
				status = 1;
			}
		}
		// The instances, redis-server and PostgreSQL are stopped by now; exit even if a library left a non-daemon
		// thread behind.
		System.exit(status);
	}

	private int run() throws IOException, InterruptedException {
		try (SampleDatabase database = SampleDatabase.open(this.settings.database())) {
			return run(database);
		}
	}

	private int run(SampleDatabase database) throws IOException, InterruptedException {
		Path work = Files.createTempDirectory("sample-benchmark-");
		boolean valid = false;
		OrderApi api = new OrderApi(ITEM);
		try (RedisServer redis = new RedisServer()) {
			redis.start();
			printHeader(redis, database);
			List<SampleRun> runs = runRounds(redis, database, api, work);
			this.table.printSummary(runs);
			valid = runs.stream().allMatch(SampleRun::valid);
			return valid ? 0 : 2;
		}
		finally {
			if (valid) {
				delete(work);
			}
			else {
				this.report.print("Kept the instances' logs (and the H2 databases, in h2 mode) in " + work);
			}
			this.report.writeTo(this.settings.report());
		}
	}

	private List<SampleRun> runRounds(RedisServer redis, SampleDatabase database, OrderApi api, Path work)
			throws IOException, InterruptedException {
		List<SampleRun> runs = new ArrayList<>();
		for (int round = 1; round <= this.settings.rounds(); round++) {
			// Alternate which goes first, so that a machine drifting during the benchmark favours neither.
			for (int instances : (round % 2 == 1) ? new int[] { 1, 2 } : new int[] { 2, 1 }) {
				SampleRun run = runOnce(round, instances, redis, database, api,
						work.resolve("round-" + round + "-instances-" + instances));
				this.table.printRow(run);
				runs.add(run);
				if (!redis.isRunning()) {
					// Every later run would fail the same way; the runs so far are still worth a summary.
					this.report.print("The redis-server stopped: the remaining runs are skipped.");
					return runs;
				}
			}
		}
		return runs;
	}

	private SampleRun runOnce(int round, int count, RedisServer redis, SampleDatabase database, OrderApi api,
			Path directory) throws IOException, InterruptedException {
		Files.createDirectories(directory);
		long redisPid = redis.pid();
		try (SampleInstances instances = SampleInstances.start(count, this.settings, redis, api, directory,
				database.fresh(directory))) {
			URI first = instances.uris().get(0);
			OrderApi.Books before = api.books(first);
			LoadResult load = OrderLoad.run(ITEM, instances.uris(), this.settings.concurrency(), this.settings.warmup(),
					this.settings.measured(), () -> cpuNow(instances, redisPid, database));
			OrderApi.Books after = api.books(first);
			return new SampleRun(round, count, load, before, after, instances.allAlive(), redis.isRunning());
		}
	}

	private static ProcessCpu.Usage cpuNow(SampleInstances instances, long redisPid, SampleDatabase database) {
		return new ProcessCpu.Usage(instances.cpuSeconds(), ProcessCpu.seconds(redisPid), database.cpuSeconds(),
				ProcessCpu.seconds(ProcessHandle.current().pid()), ProcessCpu.machineBusySeconds());
	}

	private void printHeader(RedisServer redis, SampleDatabase database) {
		String info = String.valueOf(redis.execute("INFO", "server"));
		this.report.printf("Sample order service under contention: %d concurrent POST /order, all of one item (%s,"
				+ " quantity 1)", this.settings.concurrency(), ITEM);
		this.report.printf("machine: %d cores, %s %s; driver: Java %s", Runtime.getRuntime().availableProcessors(),
				System.getProperty("os.name"), System.getProperty("os.version"),
				System.getProperty("java.runtime.version"));
		String jvmArgs = String.join(" ", this.settings.instanceJvmArgs());
		this.report.printf("sample: %s (modified %s), each instance a JVM of its own: java %s -jar",
				this.settings.jar(), lastModified(this.settings.jar()), jvmArgs);
		this.report.printf("redis-server: %s (%s), one for all runs, %s", RedisInfo.field(info, "redis_version"),
				RedisInfo.field(info, "executable"), redis.uri());
		this.report.printf("database: %s; seeded with %d units of %s", database.description(), this.settings.stock(),
				ITEM);
		this.report.printf("settings: %d rounds, each one run on 1 instance and one on 2 (alternating which goes"
				+ " first); per run %ds warm-up, then %ds measured; %d client threads, each with its own HTTP/1.1"
				+ " keep-alive connection, split evenly over the instances", this.settings.rounds(),
				this.settings.warmup().toSeconds(), this.settings.measured().toSeconds(), this.settings.concurrency());
		this.report.print("");
		this.table.printHeader();
	}


	private static String lastModified(Path file) {
		try {
			return Files.getLastModifiedTime(file).toInstant().toString();
		}
		catch (IOException ex) {
			return "?";
		}
	}

	static void delete(Path directory) throws IOException {
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}

}
