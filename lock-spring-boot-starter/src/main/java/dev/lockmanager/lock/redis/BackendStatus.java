package dev.lockmanager.lock.redis;

import java.util.List;

/**
 * What a check of the lock backend found: each Redis node (one for a standalone, Sentinel or Cluster deployment, one
 * per master in quorum mode) and how many of them must be reachable for leases to be granted.
 * <p>
 * A check is a snapshot: it says the nodes answered and the lock scripts were loaded at that moment, not that the
 * next acquisition will succeed.
 *
 * @param nodes each node, in configuration order
 * @param required how many nodes must be reachable: 1, or the majority in quorum mode
 * @see RedisLockManager#checkBackend()
 */
public record BackendStatus(List<Node> nodes, int required) {

	public BackendStatus {
		nodes = List.copyOf(nodes);
	}

	/**
	 * @return whether enough nodes are reachable for leases to be granted
	 */
	public boolean available() {
		return this.nodes.stream().filter(Node::reachable).count() >= this.required;
	}

	/**
	 * One node as the check found it.
	 *
	 * @param name where the node is ({@code host:port}, the Sentinel master's name, or {@code cluster}); never
	 * credentials
	 * @param reachable whether it answered and loaded the lock scripts within the command timeout (the node timeout
	 * in quorum mode)
	 * @param error why not, or {@code null} when reachable
	 */
	public record Node(String name, boolean reachable, String error) {

		static Node up(String name) {
			return new Node(name, true, null);
		}

		static Node down(String name, String error) {
			return new Node(name, false, error);
		}

	}

}
