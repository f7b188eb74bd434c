package dev.lockmanager.lock.benchmark;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockRequest;

/**
 * The scenarios of a run. Single-threaded: from the raw floor up to the full lock manager, each diagnostic adding
 * one layer, then the annotated method against the same {@code LockManager} call made directly. Multi-threaded: the
 * same on distinct keys, and many threads on one hot key. Every operation is one acquire plus one release.
 */
final class Scenarios {

	static final Duration TTL = Duration.ofSeconds(30);

	private static final long TTL_MILLIS = TTL.toMillis();

	final Scenario floor;

	final Scenario lockManager;

	final Scenario floorTemplate;

	final Scenario engineLettuce;

	final Scenario engineTemplate;

	final Scenario direct;

	final Scenario annotated;

	final Scenario floorThreads;

	final Scenario managerThreads;

	final Scenario floorTemplateThreads;

	final Scenario engineTemplateThreads;

	final Scenario managerNoRenewalThreads;

	final HotKeyCheck hotKeyCheck;

	final Scenario hotKey;

	Scenarios(int threads, RedisCommands<String, String> raw, StringRedisTemplate template, Scripts scripts,
			LockManager manager) {
		String[] tokens = tokens(threads);
		this.floor = new Scenario("raw floor: SET NX PX + EVALSHA CAD (Lettuce)", 1, null, (t) -> {
			String key = "lock:{default:raw}";
			expect("OK", raw.set(key, tokens[t], SetArgs.Builder.nx().px(TTL_MILLIS)));
			expect(1L, raw.<Long>evalsha(scripts.cadSha, ScriptOutputType.INTEGER, new String[] { key }, tokens[t]));
		});
		this.lockManager = new Scenario("LockManager tryAcquire + release", 1, this.floor, (t) -> {
			Lease lease = manager.tryAcquire("single", TTL).orElseThrow(() -> new IllegalStateException("not free"));
			lease.release();
		});
		this.floorTemplate = new Scenario("diag: same commands via StringRedisTemplate", 1, this.floor, (t) -> {
			String key = "lock:{default:tpl-raw}";
			expect(true, template.opsForValue().setIfAbsent(key, tokens[t], TTL));
			expect(1L, template.execute(scripts.cad, List.of(key), tokens[t]));
		});
		this.engineLettuce = new Scenario("diag: engine acquire/release.lua (Lettuce)", 1, this.floor, (t) -> {
			String lease = "lock:{default:lua}";
			List<Object> reply = raw.evalsha(scripts.acquireSha, ScriptOutputType.MULTI, Scripts.acquireKeys(lease),
					Scripts.acquireArgs(tokens[t], TTL_MILLIS));
			expect(1L, reply.get(0));
			expect(1L, raw.<Long>evalsha(scripts.releaseSha, ScriptOutputType.INTEGER, Scripts.releaseKeys(lease),
					Scripts.releaseArgs(tokens[t], lease)));
		});
		this.engineTemplate = new Scenario("diag: engine scripts via StringRedisTemplate", 1, this.floor, (t) -> {
			String lease = "lock:{default:tpl-lua}";
			List<Long> reply = template.execute(scripts.acquire, List.of(Scripts.acquireKeys(lease)),
					(Object[]) Scripts.acquireArgs(tokens[t], TTL_MILLIS));
			expect(1L, reply.get(0));
			expect(1L, template.execute(scripts.release, List.of(Scripts.releaseKeys(lease)),
					(Object[]) Scripts.releaseArgs(tokens[t], lease)));
		});
		// The annotation calls acquire(LockRequest) with wait time 0; the direct baseline makes the same call, so the
		// two differ by the proxy and the advice only. Keys of the same length, so Redis sees the same work.
		this.direct = new Scenario("LockManager acquire(LockRequest) + release, as #7 does", 1, this.floor,
				(t) -> manager.acquire(LockedTarget.request("direct")).release());
		LockedTarget proxy = LockedTarget.proxy(manager);
		this.annotated = new Scenario("@DistributedLock method (CGLIB proxy, real advisor)", 1, this.direct,
				(t) -> proxy.locked("advice"));

		// Many threads, one key each: throughput and latency through the shared connection.
		this.floorThreads = new Scenario("raw floor, " + threads + " threads, distinct keys", threads, null, (t) -> {
			String key = "lock:{default:raw-t" + t + "}";
			expect("OK", raw.set(key, tokens[t], SetArgs.Builder.nx().px(TTL_MILLIS)));
			expect(1L, raw.<Long>evalsha(scripts.cadSha, ScriptOutputType.INTEGER, new String[] { key }, tokens[t]));
		});
		this.managerThreads = new Scenario("LockManager, " + threads + " threads, distinct keys", threads,
				this.floorThreads, (t) -> {
					Lease lease = manager.tryAcquire("t" + t, TTL)
						.orElseThrow(() -> new IllegalStateException("not free"));
					lease.release();
				});
		this.floorTemplateThreads = new Scenario("diag: same commands via StringRedisTemplate, " + threads
				+ " threads", threads, this.floorThreads, (t) -> {
					String key = "lock:{default:tpl-raw-t" + t + "}";
					expect(true, template.opsForValue().setIfAbsent(key, tokens[t], TTL));
					expect(1L, template.execute(scripts.cad, List.of(key), tokens[t]));
				});
		this.engineTemplateThreads = new Scenario("diag: engine scripts via StringRedisTemplate, " + threads
				+ " threads", threads, this.floorThreads, (t) -> {
					String lease = "lock:{default:tpl-lua-t" + t + "}";
					List<Long> reply = template.execute(scripts.acquire, List.of(Scripts.acquireKeys(lease)),
							(Object[]) Scripts.acquireArgs(tokens[t], TTL_MILLIS));
					expect(1L, reply.get(0));
					expect(1L, template.execute(scripts.release, List.of(Scripts.releaseKeys(lease)),
							(Object[]) Scripts.releaseArgs(tokens[t], lease)));
				});
		this.managerNoRenewalThreads = new Scenario("diag: LockManager, renewal off, " + threads + " threads",
				threads, this.floorThreads, (t) -> {
					Lease lease = manager.tryAcquire(LockRequest.of("t" + t, TTL).withRenewal(false))
						.orElseThrow(() -> new IllegalStateException("not free"));
					lease.release();
				});

		// Many threads, one hot key, waiting: exclusivity is checked in-process.
		HotKeyCheck check = new HotKeyCheck(manager, TTL);
		this.hotKeyCheck = check;
		this.hotKey = new Scenario("LockManager, " + threads + " threads, ONE hot key, acquire(30s, 10s)", threads,
				this.floorThreads, (t) -> check.cycle());
	}

	/** Interleaved block by block, in this order (the table's #1 to #7). */
	List<Scenario> single() {
		return List.of(this.floor, this.lockManager, this.floorTemplate, this.engineLettuce, this.engineTemplate,
				this.direct, this.annotated);
	}

	/** Alternating round by round. */
	List<Scenario> threaded() {
		return List.of(this.floorThreads, this.managerThreads, this.floorTemplateThreads, this.engineTemplateThreads,
				this.managerNoRenewalThreads);
	}

	/** The table's rows, in order. */
	List<Scenario> all() {
		List<Scenario> all = new ArrayList<>(single());
		all.addAll(threaded());
		all.add(this.hotKey);
		return all;
	}

	/** One owner token per thread, as the engine makes them: 16 random bytes in hex. */
	private static String[] tokens(int threads) {
		String[] tokens = new String[threads];
		SecureRandom random = new SecureRandom();
		for (int i = 0; i < threads; i++) {
			byte[] bytes = new byte[16];
			random.nextBytes(bytes);
			tokens[i] = HexFormat.of().formatHex(bytes);
		}
		return tokens;
	}

	private static void expect(Object expected, Object actual) {
		if (!expected.equals(actual)) {
			throw new IllegalStateException("Expected " + expected + " but Redis replied " + actual);
		}
	}

}
