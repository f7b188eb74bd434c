package dev.lockmanager.lock.benchmark;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Measures {@link RedisLockManager} against the "raw floor" (SET NX PX + EVALSHA compare-and-delete through Lettuce
 * directly), and a {@code @DistributedLock} method against the same {@code LockManager} call made directly, in one
 * run against one local redis-server, which it starts and stops itself. Single-threaded scenarios run interleaved
 * so that drift on a noisy machine hits baselines and measured scenarios alike; the paired ratios and differences
 * at the end are what to read. See README.md; settings are described on {@link Settings}.
 */
public final class LockBenchmark {

	private final Settings settings;

	private final Report report = new Report();

	private LockBenchmark(Settings settings) {
		this.settings = settings;
	}

	public static void main(String[] args) {
		int status;
		try {
			status = new LockBenchmark(Settings.fromSystemProperties()).run();
		}
		catch (Throwable ex) {
			ex.printStackTrace();
			status = 1;
		}
		// Lettuce and the lock manager are closed by now; exit even if a library left a non-daemon thread behind.
		System.exit(status);
	}

	private int run() throws Exception {
		try (RedisServer redis = new RedisServer()) {
			redis.start();
			RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				LettuceConnectionFactory factory = new LettuceConnectionFactory(
						new RedisStandaloneConfiguration(redis.host(), redis.port()));
				// What Spring does with the bean: default settings, one shared native connection.
				factory.afterPropertiesSet();
				factory.start();
				try (RedisLockManager manager = RedisLockManager.builder(factory).build()) {
					return measure(redis, connection.sync(), factory, manager);
				}
				finally {
					factory.destroy();
				}
			}
			finally {
				client.shutdown();
			}
		}
		finally {
			this.report.writeTo(this.settings.report());
		}
	}

	/** @return the exit status: 0, or 2 when the hot-key check saw a violation */
	private int measure(RedisServer redis, RedisCommands<String, String> raw, LettuceConnectionFactory factory,
			RedisLockManager manager) throws Exception {
		StringRedisTemplate template = new StringRedisTemplate(factory);
		Machine.describe(this.report, this.settings, redis, raw);
		Scripts scripts = new Scripts(raw);
		Scenarios scenarios = new Scenarios(this.settings.threads(), raw, template, scripts, manager);

		Runner runner = new Runner(this.settings, raw);
		runner.runInterleaved(scenarios.single());
		runner.runAlternating(scenarios.threaded());
		long hotNanos = this.settings.hotSeconds() * 1_000_000_000L;
		runner.runTimed(scenarios.hotKey, hotNanos, scenarios.hotKeyCheck::reset);

		ResultTables tables = new ResultTables(this.report, scenarios);
		tables.printTable();
		this.report.print("");
		this.report.print(scenarios.hotKeyCheck.summary(hotNanos / 1e9));
		tables.printThroughput(this.settings.threads());
		tables.printCosts();
		ServerTimes.measure(this.report, raw, scripts, Math.max(1, this.settings.ops() / 2));
		tables.printBreakdown();
		tables.printAnnotation();
		MicroCosts micro = new MicroCosts(this.report);
		micro.printEngineCosts(factory, template, scripts.acquire);
		// Last: its stub LockManager must not reach the advice's call sites before the measured scenarios ran.
		micro.printAnnotationCosts();
		tables.printHeadlines(this.settings.block());
		return scenarios.hotKeyCheck.ok() ? 0 : 2;
	}

}
