package dev.lockmanager.lock.benchmark;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.core.SpringVersion;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.testing.RedisServer;

/**
 * The report's header: the machine, JVM, redis-server and library versions, and the settings, without which the
 * absolute numbers below it mean little.
 */
final class Machine {

	private Machine() {
	}

	static void describe(Report report, Settings settings, RedisServer redis, RedisCommands<String, String> raw) {
		String info = raw.info("server");
		String gcs = ManagementFactory.getGarbageCollectorMXBeans()
			.stream()
			.map(GarbageCollectorMXBean::getName)
			.collect(Collectors.joining(", "));
		report.print("machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpuModel() + "), "
				+ System.getProperty("os.name") + "/" + System.getProperty("os.arch") + " "
				+ System.getProperty("os.version"));
		report.print("jvm: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
				+ ", heap max " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB, GC: " + gcs);
		report.print("redis-server: " + RedisInfo.field(info, "redis_version") + " ("
				+ RedisInfo.field(info, "executable") + ", pid " + redis.pid() + ", " + redis.uri() + ")");
		report.print("lettuce: " + RedisClient.class.getPackage().getImplementationVersion() + ", spring-data-redis: "
				+ LettuceConnectionFactory.class.getPackage().getImplementationVersion() + ", spring-framework: "
				+ SpringVersion.getVersion());
		report.printf("settings: warm-up %d ops per scenario; 1 thread: %d rounds x %d ops, interleaved in blocks of "
				+ "%d; %d threads: %d alternating rounds x %d ops; hot key: %ds; ttl %s, renewal on", settings.warmup(),
				settings.rounds(), settings.ops(), settings.block(), settings.threads(), settings.threadedRounds(),
				settings.threadedOps(), settings.hotSeconds(), Scenarios.TTL);
		report.print("");
	}

	private static String cpuModel() {
		try {
			return Files.readAllLines(Path.of("/proc/cpuinfo"))
				.stream()
				.filter(line -> line.startsWith("model name"))
				.map(line -> line.substring(line.indexOf(':') + 1).trim())
				.findFirst()
				.orElse("unknown CPU");
		}
		catch (IOException | RuntimeException ex) {
			return "unknown CPU";
		}
	}

}
