function Get-OfflineSeed {
    <#
    .SYNOPSIS
    Gets where a seed stands in the offline seeding workflow.

    .DESCRIPTION
    Reads the offlineseed.json descriptor in a staging location (through the engine's seed.get
    command) and returns an OfflineSeed.Seed object: the import job name, the repository, the
    workflow state (Staging, Staged, DrivesPrepared, JobCreated, Shipped, Imported, Completed), the
    storage account, container and prefix the seed is meant for, the snapshot, the sources, and in
    NextStep what to do next. Nothing is changed and no password is needed.

    A path that holds no seed is reported as a non-terminating error (OfflineSeed.SeedNotFound), so
    the other paths of the pipeline are still read; use -ErrorAction Stop to stop at the first one.

    .PARAMETER StagingPath
    Staging location(s) holding offlineseed.json. Accepts pipeline input, by value (strings) and by
    property name (StagingPath, or FullName as Get-Item returns it).

    .EXAMPLE
    Get-OfflineSeed -StagingPath \\nas01\staging\fs01

    Shows the job, state and next step of the seed staged in \\nas01\staging\fs01.

    .EXAMPLE
    Get-ChildItem -Directory \\nas01\staging | Get-OfflineSeed | Where-Object State -ne 'Completed'

    Lists every seed under \\nas01\staging that has not completed the workflow yet.

    .EXAMPLE
    Get-OfflineSeed F:\Staging | Start-OfflineSeed -PasswordFile C:\Secure\repo.txt

    Resumes staging with the settings recorded in F:\Staging.

    .INPUTS
    System.String. A staging path.

    System.Management.Automation.PSObject. Objects with a StagingPath or FullName property.

    .OUTPUTS
    OfflineSeed.Seed

    .LINK
    about_OfflineSeed

    .LINK
    Start-OfflineSeed
    #>
    [CmdletBinding()]
    [OutputType('OfflineSeed.Seed')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('FullName')]
        [ValidateNotNullOrEmpty()]
        [string[]] $StagingPath
    )

    process {
        foreach ($item in $StagingPath) {
            $params = @{ stagingPath = (Resolve-OfflineSeedPath -Path $item) }
            # A staging path without a seed is an error for that path only: the others are still read.
            Invoke-OfflineSeedEngine -Command 'seed.get' -Parameters $params -Cmdlet $PSCmdlet -FailureIsNonTerminating
        }
    }
}
