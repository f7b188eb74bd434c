package dev.lockmanager.lock.chaos;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.lockmanager.lock.testing.RedisCluster;
import dev.lockmanager.lock.testing.RedisSentinelGroup;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * The Redis the clients lock on, whatever its topology: how each client reaches it, and which servers hold its keys
 * now.
 *
 * @param addressOf the {@code --lock} argument of a client, by process name
 * @param masters the servers holding the lock keys at the end of a run
 */
record LockRedis(Function<String, String> addressOf, Supplier<List<RedisServer>> masters) {

	static LockRedis standalone(RedisServer server) {
		return new LockRedis((process) -> "standalone:" + server.host() + ":" + server.port(), () -> List.of(server));
	}

	/**
	 * Each client through a {@link FaultProxy} of its own, created when the client starts and kept in
	 * {@code proxies} (by process name), which the caller closes.
	 */
	static LockRedis proxied(RedisServer server, Map<String, FaultProxy> proxies) {
		return new LockRedis((process) -> "standalone:127.0.0.1:"
				+ proxies.computeIfAbsent(process, (name) -> FaultProxy.to(server.port())).port(),
				() -> List.of(server));
	}

	static LockRedis sentinel(RedisSentinelGroup group) {
		return new LockRedis(
				(process) -> "sentinel:" + group.masterName() + ":" + String.join(",", group.sentinelNodes()),
				() -> List.of(group.master()));
	}

	static LockRedis cluster(RedisCluster cluster) {
		return new LockRedis((process) -> "cluster:" + String.join(",", cluster.seeds()), cluster::masters);
	}

	/**
	 * Every key matching {@code pattern} on the masters, with its {@code PTTL}.
	 */
	Map<String, Long> keyTtls(String pattern) {
		Map<String, Long> ttls = new LinkedHashMap<>();
		for (RedisServer master : this.masters.get()) {
			String cursor = "0";
			do {
				List<?> page = (List<?>) master.execute("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
				cursor = (String) page.get(0);
				for (Object key : (List<?>) page.get(1)) {
					ttls.put((String) key, (Long) master.execute("PTTL", (String) key));
				}
			}
			while (!cursor.equals("0"));
		}
		return ttls;
	}

}
