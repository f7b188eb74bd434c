package dev.lockmanager.lock.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Checks, when a manager is built, that the Redis user may make every call the manager will make, on the keys and
 * channels under its prefix: a missing ACL permission then stops the application at startup with the permission
 * named, instead of failing a renewal, a release or a subscription later (waiters would quietly fall back to polling).
 * It asks {@code redis.acl_check_cmd} (Redis 7.0 or newer), which runs nothing; older servers are not checked. A Redis
 * that cannot be reached is not checked either: a call it refuses later fails with Redis's own {@code NOPERM} message.
 * On a Cluster every master is checked; the ACL must be the same on every node.
 */
final class PermissionCheck {

	private static final Log logger = LogFactory.getLog(PermissionCheck.class);

	private static final byte[] SCRIPT = script();

	private static final String DENIED = "NOPERM";

	private final String keyPrefix;

	private final List<Call> calls = new ArrayList<>();

	/**
	 * The calls of a manager.
	 * @param cluster whether it runs on a Redis Cluster (Lettuce reads the topology)
	 * @param sharded whether releases are announced with sharded pub/sub
	 * @param waitsForReplicas whether new leases wait for replica acknowledgements ({@code WAIT})
	 */
	PermissionCheck(String keyPrefix, boolean cluster, boolean sharded, boolean waitsForReplicas) {
		this.keyPrefix = keyPrefix;
		LockKeys lock = LockKeys.of(keyPrefix, "permission-check", "*");
		command("evalsha", "0000000000000000000000000000000000000000", "0");
		command("eval", "return 1", "0");
		command("script|load", "return 1");
		// What the Lua scripts call, each on every kind of key they touch
		command("time");
		List<String> keys = List.of(lock.lease(), lock.fencing(), lock.turn(), lock.line());
		onKeys("get", keys);
		onKeys("set", keys, "owner");
		onKeys("del", keys);
		onKeys("pttl", keys);
		onKeys("pexpire", keys, "1");
		onKeys("zadd", keys, "1", "process");
		onKeys("zrem", keys, "process");
		onKeys("zrange", keys, "0", "1");
		// Release notifications; a classic subscriber also keeps a channel of its own. Redis checks no channel
		// permission for unsubscribing.
		if (sharded) {
			List<String> channels = List.of(lock.channel());
			onChannels("spublish", channels, "");
			onChannels("ssubscribe", channels);
			command("sunsubscribe");
		}
		else {
			List<String> channels = List.of(lock.channel(), keyPrefix + "subscriber:permission-check");
			onChannels("publish", channels, "");
			onChannels("subscribe", channels);
			command("unsubscribe");
		}
		if (cluster) {
			// Lettuce's topology discovery, and the Redis version of each master (ShardedPubSub)
			command("cluster|nodes");
			command("cluster|myid");
			command("info");
			command("client|setname", "lettuce");
		}
		if (waitsForReplicas) {
			command("wait", "0", "0");
		}
	}

	/**
	 * Checks the user's permissions on the deployment, or on each master of a Cluster.
	 * @param where names the deployment in the message, without credentials
	 * @throws IllegalStateException naming what the user lacks, or with Redis's {@code NOPERM} message when it refused
	 * the check itself
	 */
	void verify(StringRedisTemplate redis, String where, Duration timeout) {
		try {
			redis.execute((RedisCallback<Void>) (connection) -> {
				Object commands = connection.getNativeConnection();
				if (commands instanceof RedisAdvancedClusterAsyncCommands<?, ?> cluster) {
					for (RedisClusterNode node : cluster.getStatefulConnection().getPartitions()) {
						if (node.getRole().isUpstream() && !node.is(RedisClusterNode.NodeFlag.FAIL)) {
							verify(scripting(cluster.getConnection(node.getNodeId())),
									node.getUri().getHost() + ":" + node.getUri().getPort(), timeout);
						}
					}
				}
				else {
					verify(scripting(commands), where, timeout);
				}
				return null;
			});
		}
		catch (MissingPermissions ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			String denial = denial(ex);
			if (denial != null) {
				throw refused(where, denial);
			}
			logger.info("Could not check the Redis user's permissions on " + where + " (" + RedisLease.cause(ex)
					+ "); a call Redis refuses will fail with its NOPERM message");
		}
	}

	private void verify(RedisScriptingAsyncCommands<byte[], byte[]> commands, String where, Duration timeout) {
		List<Object> answers = await(commands.eval(SCRIPT, ScriptOutputType.MULTI, new byte[0][], arguments()),
				timeout);
		if (answers.isEmpty()) {
			logger.debug("Not checking the Redis user's permissions on " + where + ": it needs Redis 7.0 or newer");
			return;
		}
		Set<String> missing = new LinkedHashSet<>();
		for (Scope scope : Scope.values()) {
			missing.addAll(missing(scope, answers));
		}
		if (!missing.isEmpty()) {
			String permissions = String.join(" ", missing);
			throw new MissingPermissions("The Redis user lacks permissions the lock manager needs on " + where + ": "
					+ permissions + ". Grant them, for example with ACL SETUSER <user> " + permissions
					+ " (the README's Security section lists the whole ACL for each topology)");
		}
	}

	/**
	 * Tells a missing command from a missing key or channel pattern: a command allowed on none of the keys while other
	 * commands are allowed on them is missing; a key no command may use, or a denial that is neither (a read-only
	 * pattern, say), is a missing pattern.
	 */
	private Set<String> missing(Scope scope, List<Object> answers) {
		Set<String> allowedCommands = new HashSet<>();
		Set<String> allowedTargets = new HashSet<>();
		List<Call> denied = new ArrayList<>();
		for (int i = 0; i < this.calls.size(); i++) {
			Call call = this.calls.get(i);
			if (call.scope() != scope) {
				continue;
			}
			if ((Long) answers.get(i) == 1L) {
				allowedCommands.add(call.command());
				allowedTargets.add(call.target());
			}
			else {
				denied.add(call);
			}
		}
		Set<String> missing = new LinkedHashSet<>();
		for (Call call : denied) {
			if (scope == Scope.NONE || (!allowedCommands.contains(call.command()) && !allowedTargets.isEmpty())) {
				missing.add("+" + call.command());
			}
			else {
				missing.add(scope.pattern(this.keyPrefix));
			}
		}
		return missing;
	}

	private byte[][] arguments() {
		List<byte[]> arguments = new ArrayList<>();
		for (Call call : this.calls) {
			arguments.add(bytes(Integer.toString(call.words().size())));
			call.words().forEach((word) -> arguments.add(bytes(word)));
		}
		return arguments.toArray(byte[][]::new);
	}

	private static <T> T await(RedisFuture<T> reply, Duration timeout) {
		try {
			return reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime
					: new IllegalStateException(ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("Redis did not answer within " + timeout, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for Redis", ex);
		}
	}

	/**
	 * Redis's {@code NOPERM} message in an exception, its causes or the exceptions they suppressed (Lettuce reports
	 * a Sentinel's refusal as a suppressed exception of its own).
	 * @return the message, or {@code null} when Redis did not refuse a permission
	 */
	static String denial(Throwable ex) {
		return denial(ex, Collections.newSetFromMap(new IdentityHashMap<>()));
	}

	private static String denial(Throwable ex, Set<Throwable> seen) {
		if (ex == null || !seen.add(ex)) {
			return null;
		}
		String message = ex.getMessage();
		if (message != null && message.contains(DENIED)) {
			return message.substring(message.indexOf(DENIED)).lines().findFirst().orElseThrow().strip();
		}
		for (Throwable suppressed : ex.getSuppressed()) {
			String denial = denial(suppressed, seen);
			if (denial != null) {
				return denial;
			}
		}
		return denial(ex.getCause(), seen);
	}

	/**
	 * The exception stopping the application when Redis refused a permission to a call needed at startup.
	 */
	static IllegalStateException refused(String where, String denial) {
		return new MissingPermissions("The Redis user lacks a permission the lock manager needs on " + where
				+ ": Redis answered " + denial + " (the README's Security section lists the whole ACL for each topology)");
	}

	private void command(String command, String... arguments) {
		List<String> words = new ArrayList<>(List.of(command.split("\\|")));
		words.addAll(List.of(arguments));
		this.calls.add(new Call(command, Scope.NONE, null, words));
	}

	private void onKeys(String command, List<String> keys, String... arguments) {
		keys.forEach((key) -> this.calls.add(new Call(command, Scope.KEYS, key, words(command, key, arguments))));
	}

	private void onChannels(String command, List<String> channels, String... arguments) {
		channels.forEach((channel) -> this.calls
			.add(new Call(command, Scope.CHANNELS, channel, words(command, channel, arguments))));
	}

	private static List<String> words(String command, String target, String... arguments) {
		List<String> words = new ArrayList<>(List.of(command, target));
		words.addAll(List.of(arguments));
		return words;
	}

	@SuppressWarnings("unchecked")
	private static RedisScriptingAsyncCommands<byte[], byte[]> scripting(Object commands) {
		return (RedisScriptingAsyncCommands<byte[], byte[]>) commands;
	}

	private static byte[] bytes(String value) {
		return value.getBytes(UTF_8);
	}

	private static byte[] script() {
		try {
			return new ClassPathResource("permissions.lua", PermissionCheck.class).getContentAsByteArray();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read Lua script permissions.lua", ex);
		}
	}

	/**
	 * One call the manager makes: its ACL command name ({@code cluster|nodes} for a subcommand), the key or channel
	 * it is made on ({@code null} for neither), and its words as sent.
	 */
	private record Call(String command, Scope scope, String target, List<String> words) {
	}

	private enum Scope {

		NONE, KEYS, CHANNELS;

		/** The ACL pattern granting the calls' keys or channels: everything under the prefix. */
		String pattern(String keyPrefix) {
			String escaped = keyPrefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + "*";
			return ((this == CHANNELS) ? "&" : "~") + escaped;
		}

	}

	/** Thrown with the missing permissions, so that the check does not mistake it for an unreachable Redis. */
	private static final class MissingPermissions extends IllegalStateException {

		MissingPermissions(String message) {
			super(message);
		}

	}

}
