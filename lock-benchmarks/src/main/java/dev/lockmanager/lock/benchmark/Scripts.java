package dev.lockmanager.lock.benchmark;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts the scenarios run: the raw floor's compare-and-delete, and the engine's own {@code acquire.lua}
 * and {@code release.lua}, read from the starter's jar so the diagnostics run exactly what the engine runs. Each is
 * loaded into redis-server (for EVALSHA through Lettuce) and wrapped as a {@link RedisScript} (for the template).
 */
final class Scripts {

	private static final String COMPARE_AND_DELETE = "if redis.call('GET',KEYS[1])==ARGV[1] then "
			+ "return redis.call('DEL',KEYS[1]) end return 0";

	/** The engine's default fencing retention (7 days), passed as ARGV[3] of acquire.lua. */
	private static final String FENCING_RETENTION_MILLIS = Long.toString(Duration.ofDays(7).toMillis());

	private static final String SCRIPT_DIR = "dev/lockmanager/lock/redis/";

	/** How long a released key stays promised to the next instance in line: the engine's default time slice. */
	private static final String TURN_MILLIS = "50";

	final String cadSha;

	final String acquireSha;

	final String releaseSha;

	final RedisScript<Long> cad;

	final RedisScript<List<Long>> acquire;

	final RedisScript<Long> release;

	@SuppressWarnings({ "unchecked", "rawtypes" })
	Scripts(RedisCommands<String, String> raw) {
		String acquireLua = resource(SCRIPT_DIR + "acquire.lua");
		String releaseLua = resource(SCRIPT_DIR + "release.lua");
		this.cadSha = raw.scriptLoad(COMPARE_AND_DELETE);
		this.acquireSha = raw.scriptLoad(acquireLua);
		this.releaseSha = raw.scriptLoad(releaseLua);
		this.cad = RedisScript.of(COMPARE_AND_DELETE, Long.class);
		this.acquire = (RedisScript) RedisScript.of(acquireLua, List.class);
		this.release = RedisScript.of(releaseLua, Long.class);
	}

	/** acquire.lua's keys for a lease key: the lease, its fencing counter, turn and line. */
	static String[] acquireKeys(String lease) {
		return new String[] { lease, lease + ":fencing", lease + ":turn", lease + ":line" };
	}

	/** acquire.lua's arguments as the engine sends them for an attempt that does not wait. */
	static String[] acquireArgs(String token, long ttlMillis) {
		return new String[] { token, Long.toString(ttlMillis), FENCING_RETENTION_MILLIS, "", "benchmark", "0" };
	}

	/** release.lua's keys for a lease key: the lease, its turn and line. */
	static String[] releaseKeys(String lease) {
		return new String[] { lease, lease + ":turn", lease + ":line" };
	}

	/** release.lua's arguments as the engine sends them on a standalone server. */
	static String[] releaseArgs(String token, String lease) {
		return new String[] { token, lease + ":released", "0", "benchmark", TURN_MILLIS };
	}

	private static String resource(String name) {
		try (InputStream in = Scripts.class.getClassLoader().getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException("Missing " + name + " on the classpath (lock-spring-boot-starter)");
			}
			return new String(in.readAllBytes(), UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
