package dev.lockmanager.lock.benchmark;

import java.util.Arrays;

import io.lettuce.core.api.sync.RedisCommands;

/** Reads fields of redis-server's {@code INFO} replies. */
public final class RedisInfo {

	private RedisInfo() {
	}

	/** A {@code name:value} field of an INFO section, "?" when absent. */
	public static String field(String info, String name) {
		return info.lines()
			.filter(line -> line.startsWith(name + ":"))
			.map(line -> line.substring(name.length() + 1).trim())
			.findFirst()
			.orElse("?");
	}

	/** CPU time redis-server has used so far (user plus system), in seconds. */
	static double cpuSeconds(RedisCommands<String, String> raw) {
		String info = raw.info("cpu");
		return Double.parseDouble(field(info, "used_cpu_sys")) + Double.parseDouble(field(info, "used_cpu_user"));
	}

	/** The {@code usec_per_call} of a command in an {@code INFO commandstats} reply, NaN when absent. */
	static double usecPerCall(String commandStats, String command) {
		return commandStats.lines()
			.filter(line -> line.startsWith("cmdstat_" + command + ":"))
			.flatMap(line -> Arrays.stream(line.substring(line.indexOf(':') + 1).split(",")))
			.filter(field -> field.startsWith("usec_per_call="))
			.mapToDouble(field -> Double.parseDouble(field.substring("usec_per_call=".length())))
			.findFirst()
			.orElse(Double.NaN);
	}

}
