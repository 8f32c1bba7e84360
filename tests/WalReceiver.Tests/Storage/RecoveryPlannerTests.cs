using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Storage;

public sealed class RecoveryPlannerTests
{
    [Theory]
    [InlineData("/srv/wal", "/srv/wal")]
    [InlineData("/srv/wal archive", "'/srv/wal archive'")]
    [InlineData("/srv/it's", @"'/srv/it'\''s'")]
    [InlineData("/srv/$HOME", "'/srv/$HOME'")]
    public void Paths_are_quoted_for_the_shell_that_runs_restore_command(string path, string word) =>
        Assert.Equal(word, RecoveryPlanner.ShellWord(path));

    [Fact]
    public void Quotes_of_the_shell_word_are_doubled_inside_the_postgresql_conf_value() =>
        Assert.Equal(@"''/srv/it''\''''s''", RecoveryPlanner.ConfString(RecoveryPlanner.ShellWord("/srv/it's")));

    [Theory]
    [InlineData("2026-11-24 10:00:00+00", "recovery_target_time = '2026-11-24 10:00:00+00'")]
    [InlineData("2026-11-24 11:00:00.5+01", "recovery_target_time = '2026-11-24 10:00:00.500000+00'")]
    public void A_time_target_is_written_in_UTC_as_PostgreSQL_prints_it(string time, string setting) =>
        Assert.Equal(setting, new RecoveryTargetRequest(Time: DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture)).Setting);

    [Fact]
    public void A_name_with_a_quote_is_doubled_and_an_lsn_and_an_xid_are_printed_as_PostgreSQL_takes_them()
    {
        Assert.Equal("recovery_target_name = 'it''s'", new RecoveryTargetRequest(Name: "it's").Setting);
        Assert.Equal("recovery_target_lsn = '0/16B3748'", new RecoveryTargetRequest(Lsn: Lsn.Parse("0/16B3748")).Setting);
        Assert.Equal("recovery_target_xid = '741'", new RecoveryTargetRequest(Xid: 741).Setting);
    }
}
