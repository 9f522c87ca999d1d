using PointsMall.Contracts.Tasks;
using PointsMall.GroupCommit;
using PointsMall.Storage;

namespace PointsMall.Grains.Tasks;

/// <summary>Queries of the survey index and of the quizzes' ranking index, both written by the survey grains.</summary>
[GrainType("survey-catalog")]
public sealed class SurveyCatalogGrain(IGrainIndex index) : MallGrain, ISurveyCatalogGrain
{
    public async Task<SurveyPage> ListAsync(int page, int pageSize)
    {
        var (items, number, size, total) = await index.PageAsync<SurveyView>(ISurveyCatalogGrain.Index, ISurveyCatalogGrain.Key, page, pageSize, ISurveyCatalogGrain.MaxPageSize);
        return new SurveyPage(items, number, size, total);
    }

    public async Task<IReadOnlyList<QuizRank>> RankingAsync(string surveyId, int count)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(surveyId);
        var found = await index.QueryAsync<QuizRank>(new IndexQuery(ISurveyCatalogGrain.RankingIndex, surveyId, null, null, 0, Math.Clamp(count, 1, 100)));
        return found.Items;
    }
}
