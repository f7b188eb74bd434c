package dev.lockmanager.lock.benchmark.contention;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.netty.util.Version;
import org.redisson.Redisson;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;

import dev.lockmanager.lock.benchmark.RedisInfo;
import dev.lockmanager.lock.benchmark.Report;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * The report's header: machine, JVM, redis-server, the version of every library compared (and where the starter's
 * classes came from, since they change while the starter is worked on), and the settings.
 */
final class RunDescription {

	private RunDescription() {
	}

	static void print(Report report, ContentionSettings settings, RedisServer redis) {
		String info = String.valueOf(redis.execute("INFO", "server"));
		report.print("machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
				+ System.getProperty("os.name") + "/" + System.getProperty("os.arch") + " "
				+ System.getProperty("os.version") + "; jvm: " + System.getProperty("java.vm.name") + " "
				+ System.getProperty("java.runtime.version") + ", heap max "
				+ Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB; " + loadAverage());
		report.print("redis-server: " + RedisInfo.field(info, "redis_version") + " (" + RedisInfo.field(info, "executable") + ", "
				+ redis.uri() + ")");
		Map<String, Version> netty = Version.identify();
		report.print("lettuce " + version(RedisClient.class) + ", spring-data-redis "
				+ version(LettuceConnectionFactory.class) + ", spring-integration-redis "
				+ version(RedisLockRegistry.class) + ", redisson " + version(Redisson.class) + ", netty "
				+ netty.values().stream().map(Version::artifactVersion).distinct().collect(Collectors.joining(",")));
		report.print("starter classes: " + RedisLockManager.class.getProtectionDomain().getCodeSource().getLocation());
		report.printf("settings: %d threads on one key; in one JVM: instances %s x critical sections %s us, %.1fs "
				+ "per implementation and cell in %d slices, %d ms warm-up each (%.1fs before the first); separate "
				+ "JVMs: %d processes, sections %s us, %.1fs after %.1fs of warm-up, child flags %s",
				settings.threads(), settings.instances(), settings.sectionsMicros(), settings.seconds(),
				settings.rounds(), settings.warmupMillis(), settings.initialWarmupSeconds(), settings.processes(),
				settings.processSectionsMicros(), settings.processSeconds(), settings.processWarmupSeconds(),
				settings.childJvmArgs());
		report.print("implementations, each application instance with a client or connection factory of its own:");
		settings.implementations()
			.forEach(implementation -> report.printf("  %-32s %s", implementation.label, implementation.description));
		report.print("");
	}

	/** Anything else running on a small machine moves the numbers: say how busy it was. */
	static String loadAverage() {
		return String.format(Locale.ROOT, "load average (1 min) %.2f",
				ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
	}

	private static String version(Class<?> type) {
		String version = type.getPackage().getImplementationVersion();
		return (version != null) ? version : "?";
	}

}
