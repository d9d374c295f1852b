"""GraphQL for icn-panels: the Proposal and ProposalReview types (refetched through ``node``),
the mutations, and the fields added to core's ``LearningSession``."""

from __future__ import annotations

from icn_graph.plugin_api import SchemaContribution


def contribution() -> SchemaContribution:
    from icn_panels.schema.combined import LearningSessionPanels, PanelsMutations
    from icn_panels.schema.extensions import EXTENSIONS
    from icn_panels.schema.stages import ProposalBoardEntry, ProposalStage
    from icn_panels.schema.types import PanelInvitation, Proposal, ProposalReview

    return SchemaContribution(
        mutation=PanelsMutations,
        extend={**EXTENSIONS, "LearningSession": LearningSessionPanels},
        types=[Proposal, ProposalReview, PanelInvitation, ProposalStage, ProposalBoardEntry],
    )
