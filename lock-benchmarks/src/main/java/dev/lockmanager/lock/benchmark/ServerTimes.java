package dev.lockmanager.lock.benchmark;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * Time redis-server spends executing each command ({@code INFO commandstats} usec_per_call, which excludes the
 * network and the client), one command type per batch so that the EVALSHA calls of different scripts do not mix.
 */
final class ServerTimes {

	private static final String TOKEN = "0123456789abcdef0123456789abcdef";

	private static final String LEASE = "lock:{default:server-time}";

	private ServerTimes() {
	}

	static void measure(Report report, RedisCommands<String, String> raw, Scripts scripts, int ops) {
		String[] leaseOnly = { LEASE };
		long ttlMillis = Scenarios.TTL.toMillis();
		// SET NX PX, then the compare-and-delete script: the raw floor
		raw.configResetstat();
		for (int i = 0; i < ops; i++) {
			raw.set(LEASE, TOKEN, SetArgs.Builder.nx().px(ttlMillis));
			raw.evalsha(scripts.cadSha, ScriptOutputType.INTEGER, leaseOnly, TOKEN);
		}
		String floorStats = raw.info("commandstats");
		// acquire.lua, then a plain DEL
		raw.configResetstat();
		for (int i = 0; i < ops; i++) {
			raw.evalsha(scripts.acquireSha, ScriptOutputType.MULTI, Scripts.acquireKeys(LEASE),
					Scripts.acquireArgs(TOKEN, ttlMillis));
			raw.del(LEASE);
		}
		String acquireStats = raw.info("commandstats");
		// SET NX PX, then release.lua
		raw.configResetstat();
		for (int i = 0; i < ops; i++) {
			raw.set(LEASE, TOKEN, SetArgs.Builder.nx().px(ttlMillis));
			raw.evalsha(scripts.releaseSha, ScriptOutputType.INTEGER, Scripts.releaseKeys(LEASE),
					Scripts.releaseArgs(TOKEN, LEASE));
		}
		String releaseStats = raw.info("commandstats");
		double set = RedisInfo.usecPerCall(floorStats, "set");
		double cad = RedisInfo.usecPerCall(floorStats, "evalsha");
		double acquire = RedisInfo.usecPerCall(acquireStats, "evalsha");
		double release = RedisInfo.usecPerCall(releaseStats, "evalsha");
		report.print("");
		report.print("redis-server time per command (INFO commandstats usec_per_call, " + ops + " calls each; "
				+ "no network, no client):");
		report.printf("  raw floor:  SET NX PX %.2f us + compare-and-delete script %.2f us = %.2f us", set, cad,
				set + cad);
		report.printf("  engine:     acquire.lua %.2f us + release.lua %.2f us = %.2f us (+%.2f us per acquire + "
				+ "release)", acquire, release, acquire + release, acquire + release - set - cad);
	}

}
