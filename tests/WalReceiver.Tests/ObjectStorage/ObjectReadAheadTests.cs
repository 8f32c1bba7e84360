using System.Collections.Concurrent;
using WalReceiver.ObjectStorage;

namespace WalReceiver.Tests.ObjectStorage;

public sealed class ObjectReadAheadTests
{
    [Fact]
    public void Fetches_the_next_few_of_the_plan_and_hands_each_out_once()
    {
        var fetched = new ConcurrentQueue<string>();
        var readAhead = new ObjectReadAhead((name, _) => Fetch(fetched, name), (_, _) => 1000);
        string[] names = ["a", "b", "c", "d", "e", "f"];
        readAhead.Plan(names, whole: true);

        Assert.Equal("a"u8.ToArray(), readAhead.Take("a", whole: true)!.Content);

        // b, c and d were started on the thread pool; nothing else starts one, so four is where it stays.
        Assert.True(SpinWait.SpinUntil(() => fetched.Count >= 4, TimeSpan.FromSeconds(10)));
        Assert.Equal(["a", "b", "c", "d"], fetched.Order(StringComparer.Ordinal));
        Assert.Equal("b"u8.ToArray(), readAhead.Take("b", whole: true)!.Content);
        Assert.Null(readAhead.Take("x", whole: true)); // not in the plan: the caller streams it
        Assert.Null(readAhead.Take("c", whole: false)); // asked for another way than planned
    }

    [Fact]
    public void Object_too_big_for_the_budget_is_left_to_stream()
    {
        var fetched = new ConcurrentQueue<string>();
        var readAhead = new ObjectReadAhead((name, _) => Fetch(fetched, name), (name, _) => name == "big" ? ObjectReadAhead.Budget + 1 : 10);
        readAhead.Plan(["small", "big", "after"], whole: true);

        Assert.NotNull(readAhead.Take("small", whole: true));
        Assert.Null(readAhead.Take("big", whole: true));

        Assert.Equal(["small"], fetched);
    }

    private static Task<FetchedObject> Fetch(ConcurrentQueue<string> fetched, string name)
    {
        fetched.Enqueue(name);
        return Task.FromResult(new FetchedObject(System.Text.Encoding.ASCII.GetBytes(name), null, null));
    }
}
